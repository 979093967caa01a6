// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs tasks ({@link Command}s, Claude Code runs) one after another on one connection: each starts only when the
 * previous one has ended. Results come back in order, one per task.
 *
 * <p>With {@code stopOnFailure}, the first task that does not succeed ends the list and every later task is
 * reported as {@link TaskStatus#SKIPPED}; without it, every task runs whatever happened before. Interrupting the
 * thread running the list cancels the running task and skips the rest.
 *
 * <p><b>Deadlines.</b> A task runs under its own timeout, else {@link #taskTimeout()}, else the one the
 * server predicts from history (see {@code docs/timing.md}). The client waits for that deadline plus
 * {@link ClientOptions#closeTimeout()}, then cancels. Only a server that enforces no deadline at all (prediction
 * off, no timeout given) is waited for without bound.
 *
 * <p><b>Threads.</b> {@code run} blocks its caller and starts no thread of its own; the listener is called on the
 * caller's thread (output lines on the execution's callback thread). Immutable and thread-safe.
 *
 * @param tasks         the tasks, in order
 * @param stopOnFailure whether a task that does not succeed skips the rest
 * @param taskTimeout   deadline for commands without their own, or {@code null} for the server's prediction
 */
public record TaskList(List<Task> tasks, boolean stopOnFailure, Duration taskTimeout) {

    /** Checks the settings. */
    public TaskList {
        tasks = List.copyOf(tasks);
        if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
            throw new IllegalArgumentException("taskTimeout must be positive, got " + taskTimeout);
        }
    }

    /** A list that stops at the first failure when {@code stopOnFailure}, with server-predicted deadlines. */
    public static TaskList of(boolean stopOnFailure, Task... tasks) {
        return new TaskList(List.of(tasks), stopOnFailure, null);
    }

    /** A copy with a deadline for commands that have none. */
    public TaskList taskTimeout(Duration timeout) {
        return new TaskList(tasks, stopOnFailure, timeout);
    }

    /** Runs the list on {@code client}, which stays open afterwards, without a listener. */
    public List<TaskResult> run(CcxClient client) {
        return run(client, TaskListener.NONE);
    }

    /**
     * Runs the list on {@code client}, which stays open afterwards, telling {@code listener} of each start, output
     * line and end (skipped tasks included). When the connection breaks, the remaining tasks fail with it.
     *
     * @return one result per task, in order
     */
    public List<TaskResult> run(CcxClient client, TaskListener listener) {
        return run(client, null, listener);
    }

    /** Opens a connection, runs the list on it, and closes it. */
    public List<TaskResult> run(URI uri, ClientOptions options) {
        return run(uri, options, TaskListener.NONE);
    }

    /**
     * Opens a connection, runs the list on it with {@code listener}, and closes it. When the connection breaks (the
     * server restarted, say), the task running ends as {@link TaskStatus#ERROR} and the list goes on (unless
     * {@code stopOnFailure}) on a new connection, retried for up to {@link ClientOptions#connectTimeout()}.
     *
     * @throws ConnectFailedException the first connection could not be opened (then nothing ran)
     */
    public List<TaskResult> run(URI uri, ClientOptions options, TaskListener listener) {
        try (Connector connector = new Connector(uri, options)) {
            return run(connector.open(), connector, listener);
        }
    }

    private List<TaskResult> run(CcxClient client, Connector connector, TaskListener listener) {
        List<TaskResult> results = new ArrayList<>(tasks.size());
        TaskResult failed = null;
        CcxClient c = client;
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            TaskResult r;
            if (failed != null) {
                r = TaskResult.skipped(i, t, "skipped: task " + (failed.index() + 1) + " ("
                        + failed.task().describe() + ") ended " + failed.status());
            } else if (Thread.currentThread().isInterrupted()) {
                r = TaskResult.skipped(i, t, "skipped: interrupted");
            } else if (connector != null) {
                Connector.Outcome o = connector.run(c, t, i, taskTimeout, listener);
                r = o.result();
                c = o.client();
            } else {
                r = t.run(c, i, taskTimeout, listener);
            }
            results.add(r);
            listener.finished(r);
            if (failed == null && stopOnFailure && !r.succeeded()) {
                failed = r;
            }
        }
        return results;
    }
}
