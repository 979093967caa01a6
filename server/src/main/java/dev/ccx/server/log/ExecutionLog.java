// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

/**
 * Every notification of one execution, in order, each numbered with its {@code seq} from 1: the one thing the
 * execution writes to and every follower reads from, each at its own pace. The execution never waits for a
 * follower, and a follower never holds anything the execution needs.
 *
 * <p>Bounded: recent frames are kept in memory, older ones on disk, within per-log and total limits. Frames are kept
 * for later replay ({@code attach} from any position): a log made to keep everything (a kept execution's) holds every
 * frame the disk limits allow, its producer waiting for the disk when memory is full; another lets frames every
 * follower has read go when memory is full and the disk is behind. At a disk limit the oldest frames every follower
 * has read go first. A position that went gets {@link LogPositionException}, never a silent gap. When a follower falls
 * so far behind that the limits hold only what it has not read, {@link #hasRoom()} turns false and the producer stops
 * reading the process's pipe, so the process is held back by its own pipe: nothing is ever dropped that a follower
 * still needs.
 *
 * <p>Lifetime: a log outlives its execution's end, so the end can be replayed, until {@link #discard()}.
 *
 * <p>Implementations: {@link SpillingLog} (memory, then files in the state directory). In a cluster, the worker's
 * log is copied to a Redis stream by one more follower, and a node that follows the execution from elsewhere keeps a
 * {@link SpillingLog} fed from that stream (package {@code cluster}): followers read it like any other.
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

    /**
     * No frame follows. Followers get {@link Cursor.Progress#END} once they have read everything. The log stays
     * readable (mostly from disk) until {@link #discard()}.
     */
    void end();

    /** Nobody new may open the log; its memory and files go once its last cursor closes. Idempotent. */
    void discard();

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
