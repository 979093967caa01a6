// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The outcome of one Claude Code run, built by {@link StreamJsonParser#finish()}. Immutable.
 *
 * <p>A run that ended without a {@code result} line (timeout, cancel, crash) is {@link #partial()}: its
 * {@link #text()} is everything the agent wrote so far, never thrown away (the original's issue 003), and it counts
 * as an error with {@link #errorSubtype()} {@value #NO_RESULT}. When a JSON schema was asked for,
 * {@link #withSchema(JsonNode)} fills {@link #json()} and {@link #schemaErrors()}.
 *
 * @param text the final answer: the {@code result} text, or when there is none (partial runs, most {@code error_*}
 *     subtypes) the main agent's text so far
 * @param isError whether the run failed: {@code is_error}, a non-{@code success} subtype, or no result at all
 * @param errorSubtype the {@code result} subtype when the run failed ({@code error_max_turns},
 *     {@code error_during_execution}, {@code success} for an API error, ...), {@value #NO_RESULT} for a partial run,
 *     {@code null} on success
 * @param sessionId the session id (for {@code --resume}), or {@code null} if none was seen
 * @param costUsd {@code total_cost_usd}, or {@code null} when unknown (partial runs)
 * @param usage tokens: the {@code result}'s totals, or the sum so far for partial runs
 * @param numTurns {@code num_turns}, or the responses counted so far for partial runs
 * @param durationMs {@code duration_ms}, or {@code null}
 * @param durationApiMs {@code duration_api_ms}, or {@code null}
 * @param toolCalls the tool calls made, in order
 * @param partial {@code true} when no {@code result} line arrived
 * @param errors the {@code result}'s {@code errors} entries
 * @param rateLimit the limit that made the run fail, or for partial runs the last limit signal seen (for example
 *     the CLI was still retrying 529s); {@code null} otherwise
 * @param json the JSON answer found in {@link #text()} after {@link #withSchema}, else {@code null}
 * @param schemaErrors why {@link #json()} does not match the schema (or that no JSON was found); empty when valid or
 *     when no schema was asked for
 */
public record ClaudeResult(String text, boolean isError, String errorSubtype, String sessionId, Double costUsd,
        Usage usage, Integer numTurns, Long durationMs, Long durationApiMs, List<ToolCall> toolCalls, boolean partial,
        List<String> errors, RateLimits.Limit rateLimit, JsonNode json, List<String> schemaErrors) {

    /** {@link #errorSubtype()} of a run that ended without a {@code result} line. */
    public static final String NO_RESULT = "no_result";

    /** Copies the lists; {@code null} text becomes empty. */
    public ClaudeResult {
        text = text == null ? "" : text;
        usage = usage == null ? Usage.ZERO : usage;
        toolCalls = List.copyOf(toolCalls);
        errors = List.copyOf(errors);
        schemaErrors = List.copyOf(schemaErrors);
    }

    /**
     * Returns a copy with {@link #json()} extracted from {@link #text()} (see {@link JsonAnswer}) and checked against
     * {@code schema} (see {@link JsonSchemaCheck}). When no JSON is found, {@code json} is {@code null} and
     * {@code schemaErrors} says so.
     */
    public ClaudeResult withSchema(JsonNode schema) {
        String expected = schema == null ? null : Json.text(schema.path("type"));
        JsonNode found = JsonAnswer.extract(text, expected).orElse(null);
        List<String> problems = found == null
                ? List.of("$: no JSON " + (expected == null ? "object or array" : expected) + " found in the answer")
                : JsonSchemaCheck.validate(schema, found);
        return new ClaudeResult(text, isError, errorSubtype, sessionId, costUsd, usage, numTurns, durationMs,
                durationApiMs, toolCalls, partial, errors, rateLimit, found, problems);
    }

    /** {@code true} when the run completed without error and, if a schema was checked, the answer matched it. */
    public boolean ok() {
        return !isError && !partial && schemaErrors.isEmpty();
    }
}
