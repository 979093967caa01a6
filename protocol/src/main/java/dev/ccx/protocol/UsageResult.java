// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;

/**
 * The result of {@code usage}: what the Claude Code executions of this server reported in their stream-json output
 * since it started, over all credentials (like {@code stats}).
 *
 * @param costUsd          dollars, the sum of every turn's cost ({@code total_cost_usd} differences per process)
 * @param turns            {@code result} lines seen: one per turn
 * @param rateLimitRetries {@code api_retry} events caused by a rate limit (HTTP 429)
 * @param tokens           tokens per model and type, largest first
 */
public record UsageResult(double costUsd, long turns, long rateLimitRetries, List<Tokens> tokens) {
    /**
     * @param model the model named by the run's {@code system/init} line, or {@code unknown}
     * @param type  {@code input}, {@code output}, {@code cache_read} or {@code cache_creation}
     * @param count tokens
     */
    public record Tokens(String model, String type, long count) {
    }
}
