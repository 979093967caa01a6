// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.time.Duration;

/** Runs one command on a client and turns every way it can end into a {@link TaskResult}. */
final class Tasks {
    private Tasks() {
    }

    /**
     * Runs {@code command} under its own timeout, else {@code timeout} when not null, else the server's. The
     * server enforces the deadline; the client waits for it plus the close bound, then cancels.
     */
    static TaskResult run(CcxClient client, int index, Command command, Duration timeout, TaskListener listener) {
        Command c = command.timeout() == null && timeout != null ? command.timeout(timeout) : command;
        RunningCommand rc;
        try {
            rc = client.execute(c, (stream, line) -> listener.output(index, stream, line));
        } catch (RuntimeException e) {
            return TaskResult.error(index, command, e);
        }
        try {
            listener.started(index, command, rc);
            return TaskResult.of(index, command, rc.await());
        } catch (RuntimeException e) {
            // Interrupted, a listener failed, or the connection broke: nothing keeps running, and what the command
            // wrote until it was canceled is kept when the server confirms the end.
            return rc.cancelAndAwait().map(r -> TaskResult.of(index, command, r))
                    .orElseGet(() -> TaskResult.error(index, command, e));
        }
    }
}
