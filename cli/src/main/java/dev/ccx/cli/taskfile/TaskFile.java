// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A task file as read by {@link TaskFileReader}: its tasks in file order and the settings it makes for the whole run.
 * A setting is {@code null} when the file does not make it; the caller's own default (a CLI flag) applies then. Only
 * the JSON object form can make settings.
 *
 * @param source        the file as named in messages: the path as given to {@link TaskFileReader#read}, or the name
 *                      given to {@link TaskFileReader#parse}
 * @param format        how the text was read
 * @param tasks         the tasks, never empty, in the order they appear
 * @param stopOnFailure {@code "stop_on_failure"}: whether the first failed task ends the run, or {@code null}
 * @param timeout       {@code "timeout"}: the deadline of each task that has none of its own, or {@code null}
 * @param maxConcurrent {@code "max_concurrent"}: how many tasks may run at once (at least 1), or {@code null}
 */
public record TaskFile(String source, Format format, List<TaskSpec> tasks, Boolean stopOnFailure, Duration timeout,
                       Integer maxConcurrent) {

    /** How a task file was read. */
    public enum Format {
        /** A JSON array of tasks, or an object with {@code "tasks"} and settings. */
        JSON,
        /** Markdown: each list item is a task. */
        MARKDOWN,
        /** Text without list items: each line that is neither blank nor a {@code #} comment is a task. */
        LINES
    }

    /**
     * Checks the file and copies the list.
     *
     * @throws IllegalArgumentException if {@code tasks} is empty, {@code timeout} is not positive or
     *                                  {@code maxConcurrent} is below 1
     * @throws NullPointerException     if {@code source}, {@code format} or {@code tasks} is {@code null}
     */
    public TaskFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a task file has at least one task");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (maxConcurrent != null && maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, got " + maxConcurrent);
        }
    }
}
