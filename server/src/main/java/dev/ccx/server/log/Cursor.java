// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

import java.util.List;
import java.util.function.Consumer;

/**
 * A follower's position in one {@link ExecutionLog}: the next frame it will be given. Read by one thread at a
 * time (the follower's writer); {@link #release} and {@link #close} may come from any thread.
 *
 * <p><b>Holds and preludes.</b> A cursor can be held at a frame: frames from that {@code seq} on are not handed
 * out until {@link #release} supplies a prelude, a message that is handed out just before that frame. This places
 * the reply to a request at the exact point of the stream the request produced: the {@code execute} result before
 * {@code process.started}, a {@code control} result before its {@code process.paused}. A cursor holds at most one
 * frame at a time.
 */
public interface Cursor extends AutoCloseable {

    /** What {@link #read} left behind. */
    enum Progress {
        /** More frames are available now; read again (after serving others). */
        MORE,
        /** Everything available has been handed out; the cursor's wake-up runs when more is. */
        WAIT,
        /** The log has ended and every frame has been handed out: the follower is done. */
        END
    }

    /** The {@code seq} of the next frame this cursor will hand out. */
    long position();

    /**
     * Hands frames, in order, to {@code sink}, about {@code maxBytes} of them (at least one when any is
     * available). {@code sink} runs on the calling thread without any lock of the log held, so it may wait (for a
     * client); the frames it receives must not be changed. May read from disk, never waits for the producer.
     */
    Progress read(int maxBytes, Consumer<byte[]> sink);

    /** Supplies the prelude for the held frame (or, when nothing is held, for the next frame) and wakes the reader. */
    void release(byte[] prelude);

    /** Stops following; the log may drop what only this cursor still needed. Idempotent. */
    @Override
    void close();

    /**
     * Stops following like {@link #close()}, and returns the preludes released into the cursor and not handed out
     * yet, in order: replies to requests, which must reach the client although nothing more of the log will.
     * Empty when the cursor was already closed.
     */
    List<byte[]> closeWithPreludes();
}
