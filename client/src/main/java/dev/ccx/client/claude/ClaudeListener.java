// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.TaskListener;
import java.time.Duration;

/**
 * A {@link TaskListener} that also follows Claude Code runs: each parsed stream-json event, and each retry after a
 * rate or usage limit. Pass it where a {@code TaskListener} is taken; {@link ClaudeTask} notices the extra methods.
 *
 * <p><b>Threads.</b> {@link #event} runs on the execution's callback thread, right after the line was parsed, in
 * order; {@link #retrying} on the thread running the task. Same rules as {@link TaskListener} otherwise. Every
 * method does nothing by default.
 */
public interface ClaudeListener extends TaskListener {

    /**
     * One event of task {@code index}'s current run. {@code run} is that run's parser: call
     * {@link StreamJsonParser#progress()} on it for turns, tool calls, tokens and text so far (it copies the text, so
     * not for every event of a long run).
     */
    default void event(int index, ClaudeEvent event, StreamJsonParser run) {
    }

    /**
     * Run number {@code attempt} of task {@code index} failed on a limit; the next starts after {@code delay}.
     *
     * @param reason the {@link RetryPolicy.Decision#reason()}, naming the limit and the attempt to come
     */
    default void retrying(int index, int attempt, Duration delay, String reason) {
    }
}
