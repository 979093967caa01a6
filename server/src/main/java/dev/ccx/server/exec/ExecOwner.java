// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

/**
 * What an execution needs from the connection that started it. Implemented by the session; the exec package does
 * not know about WebSockets.
 */
public interface ExecOwner {
    /** The session id, for logs. */
    String sessionId();

    /** Takes one of the session's process slots; {@code false} when all are in use. */
    boolean tryAcquireSlot();

    /** Returns a slot taken with {@link #tryAcquireSlot()}. */
    void releaseSlot();

    /** The session's limit, for the error message. */
    int slots();

    /** Tracks a started execution so control can find it and disconnect can end it. */
    void register(Execution execution);

    /** Stops tracking an execution that has completed. */
    void unregister(Execution execution);

    /**
     * Sends a notification to the client. May block while the client is slower than the output (backpressure);
     * never throws; drops the message when the connection is closed.
     */
    void notify(String method, Object params);

    /**
     * Like {@link #notify}, but the message may wait in the transport's buffer for more; {@link #flush()} sends it.
     * Used for output lines, so that a burst of lines leaves in one socket write.
     */
    void notifyBatched(String method, Object params);

    /** Like {@link #notifyBatched}, for a notification already serialised to JSON (UTF-8). */
    void sendBatched(byte[] json);

    /** Sends every batched message now. */
    void flush();
}
