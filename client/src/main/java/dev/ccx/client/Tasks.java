// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.time.Duration;

/** Runs one task on a client and turns every way it can end into a {@link TaskResult}; shared by batch and list. */
final class Tasks {
    private Tasks() {
    }

    /**
     * Runs {@code command} (given {@code timeout} when it has none of its own and {@code timeout} is not null).
     * The server enforces the deadline; the client waits for it plus the close bound, then cancels.
     */
    static TaskResult run(CcxClient client, int index, Command command, Duration timeout) {
        Command c = command.timeout() == null && timeout != null ? command.timeout(timeout) : command;
        RunningCommand rc;
        try {
            rc = client.execute(c);
        } catch (RuntimeException e) {
            return TaskResult.error(index, command, e);
        }
        try {
            CommandResult r = c.timeout() != null ? rc.await(c.timeout().plus(client.options().closeTimeout()))
                    : rc.await();
            return TaskResult.of(index, command, r);
        } catch (RuntimeException e) {
            rc.cancelAsync();
            return TaskResult.error(index, command, e);
        }
    }
}
