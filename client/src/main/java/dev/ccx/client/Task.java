// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.time.Duration;

/**
 * One unit of work for a {@link Batch} or a {@link TaskList}: a {@link Command}, or a Claude Code run
 * ({@link dev.ccx.client.claude.ClaudeTask}). A task turns every way it can end into its {@link TaskResult}; it
 * never throws for an outcome.
 */
public interface Task {

    /**
     * Runs the task on {@code client} to its end. Blocks the caller. The execution runs under the task's own
     * timeout, else {@code defaultTimeout}, else the one the server predicts; nothing it started is left running
     * when this returns.
     *
     * @param index          the task's position in its batch or list, reported back in the result and to
     *                       {@code listener}
     * @param defaultTimeout deadline when the task has none of its own, or {@code null} for the server's prediction
     * @param listener       told of its start, output and end; called as {@link TaskListener} describes
     */
    TaskResult run(CcxClient client, int index, Duration defaultTimeout, TaskListener listener);

    /** The task as text for messages and reports. */
    String describe();

    /**
     * {@code text} on one line (runs of white space made one space), cut to at most {@code max} characters ending in
     * {@code ...}, never between the two halves of a surrogate pair: how tasks are named in messages and reports.
     */
    static String oneLine(String text, int max) {
        String flat = text.strip().replaceAll("\\s+", " ");
        if (flat.length() <= max) {
            return flat;
        }
        int cut = max - 3;
        if (Character.isHighSurrogate(flat.charAt(cut - 1))) {
            cut--;
        }
        return flat.substring(0, cut) + "...";
    }
}
