// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.util.concurrent.CompletableFuture;

/**
 * One write to a process's stdin: its bytes, how many of them are in the pipe, and its end. The engine writes it
 * as the pipe takes it; the caller may {@link #withdraw} it (it gave up waiting), and the engine then writes no more
 * of it.
 */
public final class StdinWrite {
    private final byte[] bytes;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile int written;
    private volatile boolean withdrawn;

    /** A write of {@code bytes}, which must not change afterwards. */
    public StdinWrite(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The bytes to write. */
    public byte[] bytes() {
        return bytes;
    }

    /** Bytes in the pipe so far. */
    public int written() {
        return written;
    }

    /** Completes when every byte is in the pipe; fails when the pipe is closed or broken, or the write withdrawn. */
    public CompletableFuture<Void> done() {
        return done;
    }

    /** Whether the caller gave up on it: the engine writes no more of it. */
    public boolean isWithdrawn() {
        return withdrawn;
    }

    /** Gives up on the rest of the bytes. */
    void withdraw() {
        withdrawn = true;
    }

    /** The engine wrote {@code n} more bytes. */
    public void wrote(int n) {
        written += n; // one engine thread writes at a time
    }
}
