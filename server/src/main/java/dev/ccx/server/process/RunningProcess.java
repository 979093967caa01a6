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
     * Queues bytes for the process's stdin; {@link StdinWrite#done()} completes once they are in the pipe, or fails
     * when the pipe is closed. Only for a process spawned with {@link SpawnRequest#stdin()}.
     */
    StdinWrite writeStdin(byte[] bytes);

    /**
     * Gives up on {@code write}: what is not in the pipe yet is not written, and its {@code done()} fails (an engine
     * that is blocked in the middle of a write may still finish that one piece, at most {@link #STDIN_PIECE} bytes).
     */
    default void withdrawStdin(StdinWrite write) {
        write.withdraw();
    }

    /** The most an engine writes to stdin in one call. */
    int STDIN_PIECE = 8192;

    /** Closes stdin once the queued bytes are written, so the process reads end of file. */
    void closeStdin();
}
