// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.client.claude.ClaudeResult;
import dev.ccx.protocol.EndReason;

/**
 * What became of one task of a {@link Batch} or {@link TaskList}, or of one {@link Task#run}.
 *
 * @param index    the task's position in the input, from 0
 * @param task     the task
 * @param status   its outcome
 * @param result   how its (last) execution ended, or {@code null} when it never ran ({@link TaskStatus#ERROR}
 *                 before the start, {@link TaskStatus#SKIPPED})
 * @param message  a sentence for anything but {@link TaskStatus#SUCCESS} (exit code, timeout, the server's error,
 *                 why it was skipped), else {@code null}
 * @param claude   for a Claude Code task, the parsed run (final text, cost, usage, tool calls, JSON answer; partial
 *                 after a timeout or cancel); {@code null} for a plain command
 * @param attempts executions made: 1, more when a Claude run was retried after a rate or usage limit, 0 when it
 *                 never started
 */
public record TaskResult(int index, Task task, TaskStatus status, CommandResult result, String message,
                         ClaudeResult claude, int attempts) {

    /** Classifies an execution's end: success, non-zero exit, deadline, or anything else. */
    public static TaskResult of(int index, Task task, CommandResult r) {
        if (r.succeeded()) {
            return new TaskResult(index, task, TaskStatus.SUCCESS, r, null, null, 1);
        }
        if (r.timedOut()) {
            String why = r.clientTimedOut() ? "client gave up waiting and canceled it"
                    : r.error() != null ? r.error() : "timed out";
            return new TaskResult(index, task, TaskStatus.TIMEOUT, r, why, null, 1);
        }
        if (r.reason() == EndReason.EXIT) {
            return new TaskResult(index, task, TaskStatus.FAILED, r, "exit code " + r.exitCode(), null, 1);
        }
        TaskStatus s = r.reason() == EndReason.CANCELED ? TaskStatus.FAILED : TaskStatus.ERROR;
        return new TaskResult(index, task, s, r, r.error() != null ? r.error() : "ended: " + r.reason().wire(),
                null, 1);
    }

    /** A task that failed with an exception instead of a result: refused, connection lost, client closed. */
    public static TaskResult error(int index, Task task, Throwable e) {
        return new TaskResult(index, task, TaskStatus.ERROR, null, e.getMessage() != null ? e.getMessage()
                : e.toString(), null, 0);
    }

    /** A task of a list that was not run, for {@code why}. */
    static TaskResult skipped(int index, Task task, String why) {
        return new TaskResult(index, task, TaskStatus.SKIPPED, null, why, null, 0);
    }

    /** A copy carrying a Claude Code run and the number of executions it took. */
    public TaskResult withClaude(ClaudeResult run, int executions) {
        return new TaskResult(index, task, status, result, message, run, executions);
    }

    /** A copy with another status and message (a Claude run can fail although its process exited with 0). */
    public TaskResult withStatus(TaskStatus newStatus, String newMessage) {
        return new TaskResult(index, task, newStatus, result, newMessage, claude, attempts);
    }

    /** Whether it succeeded. */
    public boolean succeeded() {
        return status == TaskStatus.SUCCESS;
    }
}
