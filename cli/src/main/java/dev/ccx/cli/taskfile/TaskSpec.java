// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.client.Task;
import java.util.Objects;

/**
 * One task of a task file, with where it was written.
 *
 * @param line 1-based line of the file where the task starts: the JSON string or {@code {} of the task, or the
 *             Markdown list marker, or the line of a plain list
 * @param name the task's {@code "name"} when the file gives one, else its text (command line, argv joined by
 *             spaces, or prompt) with runs of white space made one space and cut to at most
 *             {@value #MAX_SHORT_NAME} characters ending in {@code "..."}
 * @param task what to run: a {@link dev.ccx.client.Command} or a {@link dev.ccx.client.claude.ClaudeTask}
 */
public record TaskSpec(int line, String name, Task task) {
    /** Longest name made from a task's text. */
    public static final int MAX_SHORT_NAME = 60;

    /**
     * Checks the spec.
     *
     * @throws IllegalArgumentException if {@code line} is below 1 or {@code name} is blank
     * @throws NullPointerException     if {@code name} or {@code task} is {@code null}
     */
    public TaskSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        if (line < 1) {
            throw new IllegalArgumentException("line must be at least 1, got " + line);
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("name is blank");
        }
    }

    /** {@code text} on one line, at most {@value #MAX_SHORT_NAME} characters, for a task that has no name. */
    static String shortName(String text) {
        return Task.oneLine(text, MAX_SHORT_NAME);
    }
}
