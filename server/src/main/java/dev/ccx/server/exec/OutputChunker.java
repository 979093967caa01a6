// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.Wire;
import java.nio.charset.StandardCharsets;

/**
 * Turns the lines of one stream into {@code process.output} pieces: decodes each line as UTF-8 (invalid bytes become
 * U+FFFD), cuts text longer than {@link Wire#CHUNK_CHARS} into chunks without splitting a surrogate pair, and keeps
 * the chunk numbering running across the pieces of a line longer than {@code max_line}.
 *
 * <p>One instance per stream, called by that stream's pump thread only.
 */
final class OutputChunker {

    /** Receives one message's worth of a line. */
    @FunctionalInterface
    interface ChunkSink {
        void chunk(String data, boolean truncated, Integer chunkIndex, Integer totalChunks);
    }

    private final int chunkChars;
    private boolean inLongLine;
    private int nextIndex;

    OutputChunker() {
        this(Wire.CHUNK_CHARS);
    }

    OutputChunker(int chunkChars) {
        if (chunkChars < 2) {
            throw new IllegalArgumentException("chunkChars: " + chunkChars + " (expected: >= 2, to hold a surrogate pair)");
        }
        this.chunkChars = chunkChars;
    }

    /**
     * @param endsLine {@code false} for a piece of an over-long line that continues in the next call
     */
    void line(byte[] bytes, int offset, int length, boolean endsLine, ChunkSink sink) {
        String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
        boolean streamed = inLongLine || !endsLine;
        if (!streamed && text.length() <= chunkChars) {
            sink.chunk(text, false, null, null);
            return;
        }
        Integer total = streamed ? null : chunkCount(text);
        int start = 0;
        while (start < text.length()) {
            int end = chunkEnd(text, start);
            boolean last = end == text.length() && endsLine;
            sink.chunk(text.substring(start, end), !last, nextIndex++, total);
            start = end;
        }
        inLongLine = !endsLine;
        if (endsLine) {
            nextIndex = 0;
        }
    }

    /** Whether the previous call delivered a piece of a line that is still going on. */
    boolean inLongLine() {
        return inLongLine;
    }

    private int chunkCount(String text) {
        int count = 0;
        for (int start = 0; start < text.length(); start = chunkEnd(text, start)) {
            count++;
        }
        return count;
    }

    private int chunkEnd(String text, int start) {
        int end = Math.min(start + chunkChars, text.length());
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // keep the surrogate pair together
        }
        return end;
    }
}
