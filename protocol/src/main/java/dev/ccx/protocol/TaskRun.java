// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * One past run, in the result of {@code history}.
 *
 * @param timestamp when it ended, epoch seconds
 * @param duration  seconds it ran
 * @param exitCode  its exit code
 * @param reason    how it ended
 * @param timeout   the deadline it ran under, or {@code null}
 * @param load      the one-minute load average at the end
 */
public record TaskRun(double timestamp, double duration, int exitCode, EndReason reason, Double timeout,
                      double load) {
}
