// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import java.util.function.Consumer;

/** The transport's side of a session: a WebSocket, seen without the WebSocket library's types. */
public interface Connection {
    /**
     * Queues a text frame without blocking. Frames leave in the order of the calls. Called by the session's writer
     * only.
     *
     * @param utf8     the message, UTF-8 encoded; the array must not be changed afterwards
     * @param batch    {@code true} to let the frame wait in the transport's buffer for more frames (one socket write
     *                 for many lines) until the buffer fills or {@link #flush()} is called; {@code false} to write
     *                 it, and anything batched before it, now
     * @param onSent   called once the frame was written
     * @param onFailed called if it could not be
     */
    void sendText(byte[] utf8, boolean batch, Runnable onSent, Consumer<Throwable> onFailed);

    /** Writes whatever batched frames are waiting. */
    void flush();

    /** Sends a WebSocket-level ping frame; compliant clients answer it on their own. */
    void sendPing();

    /** Closes with a WebSocket close code and reason (a close handshake). Idempotent. */
    void close(int code, String reason);

    /** Drops the connection at once, without a close handshake: for a peer that reads nothing. Idempotent. */
    void abort();

    /** The peer's address, for logs. */
    String remote();
}
