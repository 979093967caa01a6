// SPDX-License-Identifier: Apache-2.0
/**
 * Metrics: {@link dev.ccx.server.metrics.ServerMetrics} counts what the server does (a
 * {@link dev.ccx.server.observe.ServerObserver}) in a registry of the official Prometheus Java client and writes
 * it in the exposition format for {@code /metrics}; {@link dev.ccx.server.metrics.ClaudeUsage} reads Claude Code's
 * stream-json for cost, tokens and rate-limit retries. No family is labelled by execution, so the scrape costs the
 * same with one execution or a thousand.
 */
package dev.ccx.server.metrics;
