// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

/** A cursor was asked for a position the log no longer holds (or never did), or of a log that is gone. */
public final class LogPositionException extends RuntimeException {
    private final long oldestSeq;
    private final long nextSeq;
    private final boolean logGone;

    /**
     * @param requested the position asked for
     * @param oldestSeq the oldest {@code seq} the log still holds
     * @param nextSeq   the {@code seq} the next frame will get
     * @param logGone   the log holds nothing any more (discarded, or dropped at a disk limit)
     */
    public LogPositionException(long requested, long oldestSeq, long nextSeq, boolean logGone) {
        super("position " + requested + " is outside the log (" + (logGone ? "it is gone" : "it holds " + oldestSeq
                + " to " + (nextSeq - 1)) + ")", null, false, false);
        this.oldestSeq = oldestSeq;
        this.nextSeq = nextSeq;
        this.logGone = logGone;
    }

    /** Whether the log holds nothing any more: no position of it can be had. */
    public boolean logGone() {
        return logGone;
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
