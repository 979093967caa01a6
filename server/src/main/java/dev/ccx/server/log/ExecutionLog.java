// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

/**
 * Every notification of one execution, in order, each numbered with its {@code seq} from 1: the one thing the
 * execution writes to and every follower reads from, each at its own pace. The execution never waits for a
 * follower, and a follower never holds anything the execution needs.
 *
 * <p>Bounded: recent frames are kept in memory, older ones on disk, within per-log and total limits. When a
 * follower falls so far behind that both are full, {@link #hasRoom()} turns false and the producer stops reading
 * the process's pipe, so the process is held back by its own pipe; nothing is ever dropped that a follower still
 * needs. Frames that every follower has read may be dropped from the oldest end when room is needed.
 *
 * <p>Implementations: {@link SpillingLog} (memory, then files in the state directory). The cluster adds one on
 * Redis Streams.
 *
 * <p>Thread-safe. {@link #append} takes a short lock that nothing holds while waiting for anything.
 */
public interface ExecutionLog {

    /** Appends the frame {@code encoder} builds for the next {@code seq}, and returns that {@code seq}. Never blocks. */
    long append(FrameEncoder encoder);

    /**
     * Appends like {@link #append(FrameEncoder)}, and holds {@code holdFor} at the new frame (see {@link Cursor}),
     * atomically, so its reader cannot see the frame before the prelude is released.
     */
    long append(FrameEncoder encoder, Cursor holdFor);

    /** Wakes the followers for what was appended since the last call. Appends do not wake, so a batch wakes once. */
    void publish();

    /** {@code false} while the log is full; the producer then stops reading until {@link #whenRoom}. */
    boolean hasRoom();

    /** Runs {@code task} once, when there is room again (or at once, if there is; or when the log is closed). */
    void whenRoom(Runnable task);

    /** No frame follows. Followers get {@link Cursor.Progress#END} once they have read everything. */
    void end();

    /**
     * A cursor at {@code fromSeq}.
     *
     * @param onAppend runs (on the appending thread, without locks; it must not block) when frames are published
     *                 or a prelude is released
     * @param held     whether the cursor starts held at {@code fromSeq}, waiting for a prelude
     * @throws LogPositionException when the log no longer holds {@code fromSeq} (or it is beyond the end)
     */
    Cursor open(long fromSeq, Runnable onAppend, boolean held);

    /** The {@code seq} the next frame will get. */
    long nextSeq();

    /** The oldest {@code seq} still held. */
    long oldestSeq();
}
