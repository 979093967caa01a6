// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.time.Duration;
import java.util.Objects;

/**
 * How one turn of a {@link ClaudeSession} ended: the prompt's answer and what it cost.
 *
 * @param index          the turn's number in the session, from 1 (turns of an earlier client count too)
 * @param prompt         the prompt's text (for an adopted turn, as the CLI echoed it: text blocks joined), or
 *                       {@code null} for content blocks this client sent
 * @param claude         text, error state, tool calls, usage, turns of the model ({@code num_turns}) and, when the
 *                       turn was sent with a schema, the JSON answer and its schema errors; {@code costUsd} in it is
 *                       the process's running total
 * @param terminalReason why the turn ended as the CLI says it ({@code completed}, {@code aborted_streaming},
 *                       {@code aborted_tools}, {@code max_turns}, {@code api_error}...), {@value #PROCESS_ENDED}
 *                       when the Claude process ended before the turn's {@code result}, or {@code null}
 * @param costUsd        what this turn cost: the difference of the running totals, or {@code null} when unknown
 * @param duration       from writing the prompt to the {@code result} line, as this client saw it
 * @param timedOut       {@link Turn#await(Duration)} ran out and interrupted it
 * @param adopted        another client sent it: this one saw it in the replay of {@link ClaudeSession#attach}
 */
public record TurnResult(int index, String prompt, ClaudeResult claude, String terminalReason, Double costUsd,
                         Duration duration, boolean timedOut, boolean adopted) {

    /** {@link #terminalReason()} of a turn whose process ended before it did. */
    public static final String PROCESS_ENDED = "process_ended";

    /** Checks the fields. */
    public TurnResult {
        Objects.requireNonNull(claude, "claude");
        Objects.requireNonNull(duration, "duration");
    }

    /** The answer's text. */
    public String text() {
        return claude.text();
    }

    /** Whether the turn was interrupted ({@code aborted_*}). */
    public boolean interrupted() {
        return terminalReason != null && terminalReason.startsWith("aborted");
    }

    /** {@code true} when the turn completed without error and, with a schema, its answer matched it. */
    public boolean ok() {
        return claude.ok();
    }

    TurnResult withTimedOut() {
        return new TurnResult(index, prompt, claude, terminalReason, costUsd, duration, true, adopted);
    }
}
