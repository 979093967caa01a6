// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.Wire;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In-memory tests of {@link OutputChunker}: decoding, chunking for the socket, and numbering across pieces. */
class OutputChunkerTest {
    private static final int CHUNK = Wire.CHUNK_CHARS;

    record Chunk(String data, boolean truncated, Integer chunkIndex, Integer totalChunks) {
        @Override
        public String toString() {
            return "Chunk[" + data.length() + " chars, truncated=" + truncated + ", index=" + chunkIndex
                    + ", total=" + totalChunks + "]";
        }
    }

    private final List<Chunk> chunks = new ArrayList<>();
    private final OutputChunker.ChunkSink sink = (data, truncated, index, total) ->
            chunks.add(new Chunk(data, truncated, index, total));

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private void line(OutputChunker chunker, String text, boolean endsLine) {
        byte[] b = bytes(text);
        chunker.line(b, 0, b.length, endsLine, sink);
    }

    private String joined() {
        StringBuilder sb = new StringBuilder();
        chunks.forEach(c -> sb.append(c.data()));
        return sb.toString();
    }

    private List<Integer> indices() {
        return chunks.stream().map(Chunk::chunkIndex).toList();
    }

    private List<Integer> totals() {
        return chunks.stream().map(Chunk::totalChunks).toList();
    }

    private List<Boolean> truncations() {
        return chunks.stream().map(Chunk::truncated).toList();
    }

    /** No chunk may end with a high surrogate or start with a low one. */
    private void assertNoSplitSurrogates() {
        for (Chunk c : chunks) {
            String d = c.data();
            assertThat(d).as("chunk is not empty").isNotEmpty();
            assertThat(Character.isHighSurrogate(d.charAt(d.length() - 1))).as("%s ends with a high surrogate", c)
                    .isFalse();
            assertThat(Character.isLowSurrogate(d.charAt(0))).as("%s starts with a low surrogate", c).isFalse();
        }
    }

    @Test
    void shortLineIsOneChunkWithoutNumbering() {
        OutputChunker chunker = new OutputChunker();
        line(chunker, "hello\n", true);
        assertThat(chunks).containsExactly(new Chunk("hello\n", false, null, null));
    }

    @Test
    void lastLineWithoutNewlineIsOneChunk() {
        OutputChunker chunker = new OutputChunker();
        line(chunker, "b", true);
        assertThat(chunks).containsExactly(new Chunk("b", false, null, null));
    }

    @Test
    void lineOfExactlyChunkCharsIsOneChunk() {
        OutputChunker chunker = new OutputChunker();
        String text = "x".repeat(CHUNK - 1) + "\n";
        line(chunker, text, true);
        assertThat(chunks).containsExactly(new Chunk(text, false, null, null));
    }

    @Test
    void lineOfChunkCharsPlusOneIsTwoChunks() {
        OutputChunker chunker = new OutputChunker();
        String text = "x".repeat(CHUNK) + "\n";
        line(chunker, text, true);
        assertThat(chunks).containsExactly(new Chunk("x".repeat(CHUNK), true, 0, 2), new Chunk("\n", false, 1, 2));
    }

    @Test
    void longLineIsCutIntoNumberedChunks() {
        OutputChunker chunker = new OutputChunker();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 200_000; i++) {
            sb.append((char) ('a' + i % 26));
        }
        String text = sb.toString();
        assertThat(text).hasSize(200_000);
        line(chunker, text, true);

        assertThat(chunks).hasSize(4);
        assertThat(chunks).allSatisfy(c -> assertThat(c.data().length()).isLessThanOrEqualTo(CHUNK));
        assertThat(indices()).containsExactly(0, 1, 2, 3);
        assertThat(totals()).containsExactly(4, 4, 4, 4);
        assertThat(truncations()).containsExactly(true, true, true, false);
        assertThat(joined()).isEqualTo(text);
    }

    @Test
    void numberingRestartsForTheNextLine() {
        OutputChunker chunker = new OutputChunker();
        String big = "y".repeat(2 * CHUNK + 5) + "\n";
        line(chunker, big, true);
        line(chunker, "short\n", true);
        line(chunker, big, true);

        assertThat(indices()).containsExactly(0, 1, 2, null, 0, 1, 2);
        assertThat(totals()).containsExactly(3, 3, 3, null, 3, 3, 3);
        assertThat(truncations()).containsExactly(true, true, false, false, true, true, false);
        assertThat(chunks.get(3).data()).isEqualTo("short\n");
    }

    @Test
    void surrogatePairStraddlingAChunkBoundaryIsNotSplit() {
        OutputChunker chunker = new OutputChunker();
        String emoji = "\uD83D\uDE00";
        // The pair would occupy positions CHUNK-1 and CHUNK: the first chunk must stop before it.
        String text = "a".repeat(CHUNK - 1) + emoji + "b".repeat(CHUNK) + emoji + "\n";
        line(chunker, text, true);

        assertThat(joined()).isEqualTo(text);
        assertNoSplitSurrogates();
        assertThat(chunks.getFirst().data()).isEqualTo("a".repeat(CHUNK - 1));
        assertThat(chunks.get(1).data()).startsWith(emoji);
        assertThat(chunks).allSatisfy(c -> assertThat(c.data().length()).isLessThanOrEqualTo(CHUNK));
        int n = chunks.size();
        assertThat(totals()).containsOnly(n);
        assertThat(indices()).isEqualTo(range(n));
        assertThat(truncations().getLast()).isFalse();
        assertThat(truncations().subList(0, n - 1)).containsOnly(true);
    }

    @Test
    void surrogatePairsNeverSplitWithSmallChunks() {
        String emoji = "\uD83D\uDE00";
        for (int chunkChars = 2; chunkChars <= 7; chunkChars++) {
            for (int prefix = 0; prefix < chunkChars; prefix++) {
                chunks.clear();
                OutputChunker chunker = new OutputChunker(chunkChars);
                String text = "a".repeat(prefix) + emoji.repeat(3 * chunkChars) + "\n";
                line(chunker, text, true);
                assertThat(joined()).as("chunkChars %d prefix %d", chunkChars, prefix).isEqualTo(text);
                assertNoSplitSurrogates();
                int max = chunkChars;
                assertThat(chunks).allSatisfy(c -> assertThat(c.data().length()).isLessThanOrEqualTo(max));
                int n = chunks.size();
                assertThat(totals()).containsOnly(n);
                assertThat(indices()).isEqualTo(range(n));
            }
        }
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        OutputChunker chunker = new OutputChunker();
        byte[] in = {'o', 'k', ' ', (byte) 0xFF, (byte) 0xFE, ' ', 'e', 'n', 'd', '\n'};
        chunker.line(in, 0, in.length, true, sink);
        assertThat(chunks).containsExactly(new Chunk("ok \uFFFD\uFFFD end\n", false, null, null));
    }

    @Test
    void truncatedMultiByteSequenceBecomesAReplacementCharacterAndTheRestSurvives() {
        OutputChunker chunker = new OutputChunker();
        // E2 82 is the start of the euro sign without its last byte.
        byte[] in = {'a', (byte) 0xE2, (byte) 0x82, 'b', (byte) 0xC3, (byte) 0xA9, '\n'};
        chunker.line(in, 0, in.length, true, sink);
        assertThat(chunks).hasSize(1);
        String data = chunks.getFirst().data();
        assertThat(data).startsWith("a\uFFFD").endsWith("b\u00e9\n");
        assertThat(data.replace("\uFFFD", "")).isEqualTo("ab\u00e9\n");
    }

    @Test
    void offsetAndLengthAreHonoured() {
        OutputChunker chunker = new OutputChunker();
        byte[] buffer = bytes("junk\nhello\njunk");
        chunker.line(buffer, 5, 6, true, sink);
        assertThat(chunks).containsExactly(new Chunk("hello\n", false, null, null));
    }

    @Test
    void piecesOfAnOverLongLineGetRunningIndicesAndNoTotal() {
        OutputChunker chunker = new OutputChunker();
        String p1 = "a".repeat(130_000);
        String p2 = "b".repeat(70_000);
        String p3 = "tail\n";
        line(chunker, p1, false);
        line(chunker, p2, false);
        line(chunker, p3, true);

        // 130,000 chars -> 2 chunks, 70,000 -> 2 chunks, "tail\n" -> 1 chunk.
        assertThat(chunks).hasSize(5);
        assertThat(indices()).containsExactly(0, 1, 2, 3, 4);
        assertThat(totals()).containsOnlyNulls();
        assertThat(truncations()).containsExactly(true, true, true, true, false);
        assertThat(joined()).isEqualTo(p1 + p2 + p3);
        assertThat(chunks).allSatisfy(c -> assertThat(c.data().length()).isLessThanOrEqualTo(CHUNK));
    }

    @Test
    void shortPiecesOfAnOverLongLineAreStillNumbered() {
        // A piece shorter than a chunk must not be sent as a stand-alone line: the client needs truncated=true.
        OutputChunker chunker = new OutputChunker();
        line(chunker, "abc", false);
        line(chunker, "def", false);
        line(chunker, "ghi\n", true);
        assertThat(chunks).containsExactly(
                new Chunk("abc", true, 0, null),
                new Chunk("def", true, 1, null),
                new Chunk("ghi\n", false, 2, null));
    }

    @Test
    void overLongLineFinishedByALastPieceWithoutNewline() {
        OutputChunker chunker = new OutputChunker();
        line(chunker, "abc", false);
        line(chunker, "d", true); // finish(): end of stream without a newline
        assertThat(chunks).containsExactly(new Chunk("abc", true, 0, null), new Chunk("d", false, 1, null));
    }

    @Test
    void numberingRestartsAfterAnOverLongLine() {
        OutputChunker chunker = new OutputChunker();
        line(chunker, "x".repeat(CHUNK + 1), false);
        line(chunker, "y\n", true);
        line(chunker, "next\n", true);
        line(chunker, "z".repeat(CHUNK) + "\n", true);

        assertThat(chunks).hasSize(6);
        assertThat(chunks.subList(0, 3)).extracting(Chunk::chunkIndex).containsExactly(0, 1, 2);
        assertThat(chunks.subList(0, 3)).extracting(Chunk::totalChunks).containsOnlyNulls();
        assertThat(chunks.subList(0, 3)).extracting(Chunk::truncated).containsExactly(true, true, false);
        assertThat(chunks.get(3)).isEqualTo(new Chunk("next\n", false, null, null));
        assertThat(chunks.get(4)).isEqualTo(new Chunk("z".repeat(CHUNK), true, 0, 2));
        assertThat(chunks.get(5)).isEqualTo(new Chunk("\n", false, 1, 2));
    }

    @Test
    void multiByteTextIsCountedInUtf16CodeUnitsNotBytes() {
        // 40,000 euro signs are 120,000 bytes but 40,000 chars: one chunk.
        OutputChunker chunker = new OutputChunker();
        String text = "\u20ac".repeat(40_000) + "\n";
        line(chunker, text, true);
        assertThat(chunks).containsExactly(new Chunk(text, false, null, null));
    }

    private static List<Integer> range(int n) {
        Integer[] r = new Integer[n];
        Arrays.setAll(r, i -> i);
        return List.of(r);
    }
}
