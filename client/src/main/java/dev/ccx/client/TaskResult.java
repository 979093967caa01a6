// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.EndReason;

/**
 * What became of one task of a {@link Batch} or {@link TaskList}.
 *
 * @param index   the task's position in the input, from 0
 * @param command the task
 * @param status  its outcome
 * @param result  how its execution ended, or {@code null} when it never ran ({@link TaskStatus#ERROR} before the
 *                start, {@link TaskStatus#SKIPPED})
 * @param message a sentence for anything but {@link TaskStatus#SUCCESS} (exit code, timeout, the server's error,
 *                why it was skipped), else {@code null}
 */
public record TaskResult(int index, Command command, TaskStatus status, CommandResult result, String message) {

    /** Classifies an execution's end. */
    static TaskResult of(int index, Command command, CommandResult r) {
        if (r.succeeded()) {
            return new TaskResult(index, command, TaskStatus.SUCCESS, r, null);
        }
        if (r.timedOut()) {
            String why = r.clientTimedOut() ? "client gave up waiting and canceled it"
                    : r.error() != null ? r.error() : "timed out";
            return new TaskResult(index, command, TaskStatus.TIMEOUT, r, why);
        }
        if (r.reason() == EndReason.EXIT) {
            return new TaskResult(index, command, TaskStatus.FAILED, r, "exit code " + r.exitCode());
        }
        TaskStatus s = r.reason() == EndReason.CANCELED ? TaskStatus.FAILED : TaskStatus.ERROR;
        return new TaskResult(index, command, s, r, r.error() != null ? r.error() : "ended: " + r.reason().wire());
    }

    /** A task that failed with an exception instead of a result. */
    static TaskResult error(int index, Command command, Throwable e) {
        return new TaskResult(index, command, TaskStatus.ERROR, null, e.getMessage() != null ? e.getMessage()
                : e.toString());
    }

    /** Whether it succeeded. */
    public boolean succeeded() {
        return status == TaskStatus.SUCCESS;
    }
}
