// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import tools.jackson.databind.JsonNode;

/**
 * Token counts of one API response or of a whole run, as in the {@code usage} objects of Claude Code's stream-json
 * ({@code input_tokens}, {@code output_tokens}, {@code cache_creation_input_tokens}, {@code cache_read_input_tokens}).
 * Missing counts are 0. Immutable.
 *
 * @param inputTokens uncached input tokens
 * @param outputTokens output tokens
 * @param cacheCreationInputTokens input tokens written to the prompt cache
 * @param cacheReadInputTokens input tokens read from the prompt cache
 */
public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
    /** No tokens. */
    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    /** Reads a {@code usage} object; anything that is not an object, or a field that is not a number, counts as 0. */
    public static Usage of(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return ZERO;
        }
        return new Usage(Json.longOr(usage.path("input_tokens"), 0), Json.longOr(usage.path("output_tokens"), 0),
                Json.longOr(usage.path("cache_creation_input_tokens"), 0),
                Json.longOr(usage.path("cache_read_input_tokens"), 0));
    }

    /** All input tokens: uncached plus cache writes plus cache reads. */
    public long totalInputTokens() {
        return inputTokens + cacheCreationInputTokens + cacheReadInputTokens;
    }

    /** Field-wise sum. */
    public Usage plus(Usage other) {
        return new Usage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheCreationInputTokens + other.cacheCreationInputTokens,
                cacheReadInputTokens + other.cacheReadInputTokens);
    }

    /**
     * Field-wise maximum. Claude Code repeats one response's usage on every content block of that response, and
     * streaming reports growing output counts, so the largest value per response is the right one.
     */
    public Usage max(Usage other) {
        return new Usage(Math.max(inputTokens, other.inputTokens), Math.max(outputTokens, other.outputTokens),
                Math.max(cacheCreationInputTokens, other.cacheCreationInputTokens),
                Math.max(cacheReadInputTokens, other.cacheReadInputTokens));
    }
}
