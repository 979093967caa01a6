// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs commands one after another on one connection: each starts only when the previous one has ended. Results
 * come back in order, one per command.
 *
 * <p>With {@code stopOnFailure}, the first task that does not succeed ends the list and every later task is
 * reported as {@link TaskStatus#SKIPPED}; without it, every task runs whatever happened before.
 *
 * <p><b>Deadlines.</b> A task runs under its command's own timeout, else {@link #taskTimeout()}, else the one the
 * server predicts from history (see {@code docs/timing.md}). The client waits for that deadline plus
 * {@link ClientOptions#closeTimeout()}, then cancels. Only a server that enforces no deadline at all (prediction
 * off, no timeout given) is waited for without bound.
 *
 * <p><b>Threads.</b> {@code run} blocks its caller and starts no thread of its own. Immutable and thread-safe.
 *
 * @param commands      the tasks, in order
 * @param stopOnFailure whether a task that does not succeed skips the rest
 * @param taskTimeout   deadline for commands without their own, or {@code null} for the server's prediction
 */
public record TaskList(List<Command> commands, boolean stopOnFailure, Duration taskTimeout) {

    /** Checks the settings. */
    public TaskList {
        commands = List.copyOf(commands);
        if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
            throw new IllegalArgumentException("taskTimeout must be positive, got " + taskTimeout);
        }
    }

    /** A list that stops at the first failure when {@code stopOnFailure}, with server-predicted deadlines. */
    public static TaskList of(boolean stopOnFailure, Command... commands) {
        return new TaskList(List.of(commands), stopOnFailure, null);
    }

    /** A copy with a deadline for commands that have none. */
    public TaskList taskTimeout(Duration timeout) {
        return new TaskList(commands, stopOnFailure, timeout);
    }

    /**
     * Runs the list on {@code client}, which stays open afterwards.
     *
     * @return one result per command, in order
     */
    public List<TaskResult> run(CcxClient client) {
        List<TaskResult> results = new ArrayList<>(commands.size());
        TaskResult failed = null;
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            if (failed != null) {
                results.add(new TaskResult(i, c, TaskStatus.SKIPPED, null, "skipped: task " + failed.index()
                        + " (" + failed.command().describe() + ") ended " + failed.status()));
                continue;
            }
            TaskResult r = Tasks.run(client, i, c, taskTimeout);
            results.add(r);
            if (stopOnFailure && !r.succeeded()) {
                failed = r;
            }
        }
        return results;
    }

    /** Opens a connection, runs the list on it, and closes it. */
    public List<TaskResult> run(URI uri, ClientOptions options) {
        try (CcxClient client = CcxClient.connect(uri, options)) {
            return run(client);
        }
    }
}
