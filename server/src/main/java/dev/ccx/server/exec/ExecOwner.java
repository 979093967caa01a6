// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

/**
 * What an execution needs from the connection that started it. Implemented by the session; the exec package does
 * not know about WebSockets, and never waits for its owner: every method here returns at once.
 */
public interface ExecOwner {
    /** The session id, for logs. */
    String sessionId();

    /** The address the connection came from, for the audit log. */
    String remote();

    /** The credentials the connection presented: executions it starts are visible to these only. */
    String principal();

    /** Takes one of the session's process slots; {@code false} when all are in use. */
    boolean tryAcquireSlot();

    /** Returns a slot taken with {@link #tryAcquireSlot()}. */
    void releaseSlot();

    /** The session's limit, for the error message. */
    int slots();

    /**
     * The execution has ended and its slot is free again ({@code process.completed} is appended right after):
     * stop routing control requests to it. Runs on a supervision thread.
     */
    void finished(Execution execution);

    /** New frames are in the owner's logs (or a reply was placed): wake its writer. Runs on any thread. */
    void wake();
}
