// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.util.concurrent.CompletableFuture;

/** A started process as its engine hands it out. All methods are thread-safe and return without waiting. */
public interface RunningProcess {

    /** The pid, which is also the pgid and the session id. */
    long pid();

    /** Starts reading {@code stream} again after {@link ProcessListener#output} returned {@code false}. */
    void resume(StdStream stream);

    /**
     * Stops reading both pipes and closes them, so that a process that left them to something outside the group
     * cannot hold the execution open; {@link ProcessListener#closed} follows for each one still open.
     */
    void closeOutput();

    /**
     * Queues bytes for the process's stdin; the future completes once they are in the pipe, or fails when the pipe
     * is closed. Only for a process spawned with {@link SpawnRequest#stdin()}.
     */
    CompletableFuture<Void> writeStdin(byte[] bytes);

    /** Closes stdin once the queued bytes are written, so the process reads end of file. */
    void closeStdin();
}
