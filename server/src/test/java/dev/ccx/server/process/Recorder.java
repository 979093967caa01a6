// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link ProcessListener} that keeps everything it is told, for engine tests. */
public final class Recorder implements ProcessListener {
    public final CompletableFuture<RunningProcess> started = new CompletableFuture<>();
    public final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final ByteArrayOutputStream[] bytes = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    @SuppressWarnings("unchecked")
    private final CompletableFuture<IOException>[] closed = new CompletableFuture[] {new CompletableFuture<>(),
        new CompletableFuture<>()};

    @Override
    public void started(RunningProcess process) {
        started.complete(process);
    }

    @Override
    public boolean output(StdStream stream, byte[] b, int offset, int length) {
        synchronized (bytes[stream.ordinal()]) {
            bytes[stream.ordinal()].write(b, offset, length);
        }
        return true;
    }

    @Override
    public void closed(StdStream stream, IOException failure) {
        if (!closed[stream.ordinal()].complete(failure)) {
            throw new AssertionError(stream + " reported closed twice");
        }
    }

    @Override
    public void exited(int exitCode) {
        if (!exit.complete(exitCode)) {
            throw new AssertionError("exit reported twice");
        }
    }

    /** What {@code stream} delivered so far. */
    public byte[] bytes(StdStream stream) {
        synchronized (bytes[stream.ordinal()]) {
            return bytes[stream.ordinal()].toByteArray();
        }
    }

    /** {@code stream} as text. */
    public String text(StdStream stream) {
        return new String(bytes(stream), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Waits (at most 10 s) for the exit and for both streams to close; returns the exit code. */
    public int awaitEnd() throws Exception {
        int code = exit.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<IOException> c : closed) {
            IOException failure = c.get(10, TimeUnit.SECONDS);
            if (failure != null) {
                throw failure;
            }
        }
        return code;
    }

    /** Whether {@code stream} has been reported closed. */
    public boolean isClosed(StdStream stream) {
        return closed[stream.ordinal()].isDone();
    }
}
