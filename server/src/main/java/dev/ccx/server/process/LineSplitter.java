// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.util.Arrays;

/**
 * Splits a byte stream into lines on {@code '\n'}, before any decoding: in UTF-8 the byte 0x0A never occurs inside a
 * multi-byte character, so splitting first and decoding each line afterwards is safe (Netty's
 * {@code LineBasedFrameDecoder} relies on the same fact).
 *
 * <p>A line of up to {@code maxLine} bytes (not counting its newline) is delivered whole. A longer line is delivered
 * in pieces of at most {@code maxLine} bytes, cut on a UTF-8 character boundary, each marked as not ending the line;
 * reading never stops and memory stays bounded by {@code maxLine}. A last line without a newline is delivered by
 * {@link #finish()}.
 *
 * <p>Not thread-safe: one splitter per stream, fed by one pump thread.
 */
public final class LineSplitter {

    /** Receives lines. The array is only valid during the call. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param bytes    buffer holding the piece
         * @param offset   where it starts
         * @param length   its length, including the trailing newline if the process wrote one
         * @param endsLine {@code false} when this is a piece of an over-long line and more of it follows
         */
        void accept(byte[] bytes, int offset, int length, boolean endsLine);
    }

    private final int maxLine;
    private final Sink sink;
    private byte[] pending = new byte[256];
    private int pendingLength;

    /**
     * @param maxLine longest line delivered whole, in bytes (at least 4, so a piece always holds a character)
     * @param sink    where lines go
     */
    public LineSplitter(int maxLine, Sink sink) {
        if (maxLine < 4) {
            throw new IllegalArgumentException("maxLine: " + maxLine + " (expected: >= 4)");
        }
        this.maxLine = maxLine;
        this.sink = sink;
    }

    /** Consumes {@code length} bytes; delivers every line they complete. */
    public void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (pendingLength == 0 && i - start <= maxLine) {
                // Fast path: the whole line is inside this read; no copy.
                sink.accept(bytes, start, i + 1 - start, true);
            } else {
                append(bytes, start, i + 1 - start);
                flushPending();
            }
            start = i + 1;
        }
        if (start < end) {
            append(bytes, start, end - start);
        }
    }

    /** Delivers the last line if it had no newline. Call once, at end of stream. */
    public void finish() {
        if (pendingLength > 0) {
            flushPending();
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        while (length > 0) {
            int room = maxLine + 1 - pendingLength;
            int take = Math.min(room, length);
            ensureCapacity(pendingLength + take);
            System.arraycopy(bytes, offset, pending, pendingLength, take);
            pendingLength += take;
            offset += take;
            length -= take;
            // maxLine + 1 bytes without a newline at the end can only be an over-long line.
            if (pendingLength == maxLine + 1 && pending[maxLine] != '\n') {
                emitPiece();
            }
        }
    }

    private void flushPending() {
        sink.accept(pending, 0, pendingLength, true);
        pendingLength = 0;
    }

    private void emitPiece() {
        int cut = utf8Boundary(pending, maxLine);
        sink.accept(pending, 0, cut, false);
        System.arraycopy(pending, cut, pending, 0, pendingLength - cut);
        pendingLength -= cut;
    }

    private void ensureCapacity(int needed) {
        if (needed > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(needed, Math.min(pending.length * 2, maxLine + 1)));
        }
    }

    /** Moves {@code cut} back so it does not fall inside a multi-byte UTF-8 character. */
    static int utf8Boundary(byte[] bytes, int cut) {
        for (int back = 1; back <= 3 && cut - back >= 0; back++) {
            int b = bytes[cut - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead byte
            }
            int width = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return width > back ? cut - back : cut;
        }
        return cut;
    }
}
