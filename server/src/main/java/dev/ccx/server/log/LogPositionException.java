// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

/** A cursor was asked for a position the log no longer holds (or never did). */
public final class LogPositionException extends RuntimeException {
    private final long oldestSeq;
    private final long nextSeq;

    /**
     * @param requested the position asked for
     * @param oldestSeq the oldest {@code seq} the log still holds
     * @param nextSeq   the {@code seq} the next frame will get
     */
    public LogPositionException(long requested, long oldestSeq, long nextSeq) {
        super("position " + requested + " is outside the log (it holds " + oldestSeq + " to " + (nextSeq - 1) + ")",
                null, false, false);
        this.oldestSeq = oldestSeq;
        this.nextSeq = nextSeq;
    }

    /** The oldest {@code seq} the log still holds. */
    public long oldestSeq() {
        return oldestSeq;
    }

    /** The {@code seq} the next frame will get. */
    public long nextSeq() {
        return nextSeq;
    }
}
