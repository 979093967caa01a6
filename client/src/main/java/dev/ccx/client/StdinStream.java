// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/**
 * An execution's stdin as a stream: bytes go out in {@code stdin} requests of up to {@link #CHUNK} bytes, with at
 * most {@link #WINDOW} bytes unanswered; past that, {@code write} waits for the oldest answer (each bounded by the
 * request timeout, and on the server by {@code --stdin-timeout}). So a process that does not read holds the writer
 * back, and neither side queues without bound.
 */
final class StdinStream extends OutputStream {
    static final int CHUNK = 64 * 1024;
    static final int WINDOW = 1 << 20;

    private final CcxClient client;
    private final String executionId;
    private final byte[] buffer = new byte[CHUNK];
    private final ArrayDeque<CompletableFuture<JsonNode>> unanswered = new ArrayDeque<>();
    private int filled;
    private boolean closed;

    StdinStream(CcxClient client, String executionId) {
        this.client = client;
        this.executionId = executionId;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            int n = Math.min(len, CHUNK - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == CHUNK) {
                send(false);
            }
        }
    }

    /** Sends what is buffered, and waits until every request sent so far is answered. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (filled > 0) {
            send(false);
        }
        while (!unanswered.isEmpty()) {
            await(unanswered.poll());
        }
    }

    /** Sends what is buffered with end of file, and waits for every answer. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        send(true);
        closed = true;
        while (!unanswered.isEmpty()) {
            await(unanswered.poll());
        }
    }

    private void send(boolean eof) throws IOException {
        while (unanswered.size() * (long) CHUNK >= WINDOW) {
            await(unanswered.poll());
        }
        unanswered.add(client.stdinAsync(executionId, Arrays.copyOf(buffer, filled), eof));
        filled = 0;
    }

    private void await(CompletableFuture<JsonNode> answer) throws IOException {
        try {
            client.join(answer, "stdin of execution " + executionId);
        } catch (CcxException e) {
            closed = true;
            unanswered.clear();
            throw new IOException("stdin of execution " + executionId + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stdin of execution " + executionId + " is closed");
        }
    }
}
