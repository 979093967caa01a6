// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Statistics of one task key, in the result of {@code stats}. Percentiles are over runs that ended on their own.
 *
 * @param category    the category
 * @param name        the name
 * @param count       runs kept in the history (at most the newest 100)
 * @param successRate share of those runs that exited on their own with code 0
 * @param p50         median duration, seconds, or {@code null} without runs that ended on their own
 * @param p90         90th percentile duration
 * @param p95         95th percentile duration
 * @param p99         99th percentile duration
 * @param lastRun     when the newest run ended, epoch seconds
 */
public record TaskStats(String category, String name, int count, double successRate, Double p50, Double p90,
                        Double p95, Double p99, double lastRun) {
}
