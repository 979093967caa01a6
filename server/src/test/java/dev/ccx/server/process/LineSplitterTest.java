// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * In-memory tests of {@link LineSplitter}, in the spirit of Netty's {@code LineBasedFrameDecoderTest}: the same
 * input fed in chunks of every size must give the same lines.
 */
class LineSplitterTest {

    /** One delivered piece, copied out of the splitter's buffer. */
    record Piece(byte[] bytes, boolean endsLine) {
        String text() {
            return new String(bytes, UTF_8);
        }

        @Override
        public String toString() {
            return (endsLine ? "line" : "piece") + "(" + bytes.length + ")" + abbreviate(text());
        }
    }

    /** Collects what the splitter delivers. */
    static final class Collector implements LineSplitter.Sink {
        final List<Piece> pieces = new ArrayList<>();

        @Override
        public void accept(byte[] bytes, int offset, int length, boolean endsLine) {
            assertThat(offset).isNotNegative();
            assertThat(offset + length).isLessThanOrEqualTo(bytes.length);
            pieces.add(new Piece(Arrays.copyOfRange(bytes, offset, offset + length), endsLine));
        }

        List<String> texts() {
            return pieces.stream().map(Piece::text).toList();
        }

        List<Boolean> ends() {
            return pieces.stream().map(Piece::endsLine).toList();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Collector splitWhole(int maxLine, byte[] input) {
        Collector c = new Collector();
        LineSplitter s = new LineSplitter(maxLine, c);
        s.feed(input, 0, input.length);
        s.finish();
        return c;
    }

    /** Feeds {@code input} in chunks of {@code size} bytes, each copied into a larger buffer at an odd offset. */
    private static Collector splitInChunks(int maxLine, byte[] input, int size) {
        Collector c = new Collector();
        LineSplitter s = new LineSplitter(maxLine, c);
        for (int pos = 0; pos < input.length; pos += size) {
            int n = Math.min(size, input.length - pos);
            feedAtOffset(s, input, pos, n);
        }
        s.finish();
        return c;
    }

    private static Collector splitRandomly(int maxLine, byte[] input, Random random, int maxChunk) {
        Collector c = new Collector();
        LineSplitter s = new LineSplitter(maxLine, c);
        int pos = 0;
        while (pos < input.length) {
            int n = Math.min(1 + random.nextInt(maxChunk), input.length - pos);
            feedAtOffset(s, input, pos, n);
            pos += n;
        }
        s.finish();
        return c;
    }

    /** Copies the slice into a buffer with junk (newlines) around it, so offset and length must be honoured. */
    private static void feedAtOffset(LineSplitter s, byte[] input, int pos, int n) {
        byte[] buffer = new byte[n + 10];
        Arrays.fill(buffer, (byte) '\n');
        System.arraycopy(input, pos, buffer, 7, n);
        s.feed(buffer, 7, n);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] concat(List<Piece> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.forEach(p -> out.writeBytes(p.bytes()));
        return out.toByteArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 37) + "...'";
    }

    /** Decodes strictly: a piece cut inside a character fails here. */
    private static String decodeStrictly(byte[] bytes) {
        try {
            return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("piece is not valid UTF-8 (" + e + "): " + Arrays.toString(bytes), e);
        }
    }

    /** Content length of a piece, not counting a trailing newline. */
    private static int contentLength(Piece p) {
        int n = p.bytes().length;
        return n > 0 && p.bytes()[n - 1] == '\n' ? n - 1 : n;
    }

    /** Checks the pieces of a splitter against the lines of its input, reassembling over-long lines. */
    private static void assertReassemblesTo(Collector c, byte[] input, int maxLine) {
        assertThat(concat(c.pieces)).as("concatenation of every piece").isEqualTo(input);
        for (Piece p : c.pieces) {
            assertThat(contentLength(p)).as("piece %s", p).isLessThanOrEqualTo(maxLine);
            if (!p.endsLine()) {
                assertThat(p.bytes()).as("a piece that does not end its line has no newline: %s", p)
                        .doesNotContain((byte) '\n');
                assertThat(p.bytes().length).as("a cut piece is non-empty: %s", p).isPositive();
            } else {
                // A delivered line holds at most one newline, at its end.
                byte[] b = p.bytes();
                for (int i = 0; i < b.length - 1; i++) {
                    assertThat(b[i]).as("newline inside %s", p).isNotEqualTo((byte) '\n');
                }
            }
        }
        // Every piece except possibly the last (a final line without newline) that ends a line ends in '\n'.
        for (int i = 0; i < c.pieces.size() - 1; i++) {
            Piece p = c.pieces.get(i);
            if (p.endsLine()) {
                assertThat(p.bytes()[p.bytes().length - 1]).as("line %d ends with a newline", i)
                        .isEqualTo((byte) '\n');
            }
        }
    }

    // ---- splitting across feed() chunks ---------------------------------------------------------------------

    @Test
    void linesSplitAcrossChunksOfEverySize() {
        byte[] input = bytes("first\nsecond line\r\n\n\nx\nlast one with \u00e9\u20ac\uD83D\uDE00 text\n");
        List<String> expected = List.of("first\n", "second line\r\n", "\n", "\n", "x\n",
                "last one with \u00e9\u20ac\uD83D\uDE00 text\n");
        for (int size = 1; size <= input.length + 1; size++) {
            Collector c = splitInChunks(1024, input, size);
            assertThat(c.texts()).as("chunk size %d", size).containsExactlyElementsOf(expected);
            assertThat(c.ends()).as("chunk size %d", size).allMatch(e -> e);
        }
    }

    @Test
    void linesSplitAcrossRandomChunkSizes() {
        for (long seed = 1; seed <= 50; seed++) {
            Random random = new Random(seed);
            List<String> lines = new ArrayList<>();
            StringBuilder all = new StringBuilder();
            int count = 200 + random.nextInt(200);
            for (int i = 0; i < count; i++) {
                String line = randomText(random, random.nextInt(60)) + (random.nextInt(10) == 0 ? "\r\n" : "\n");
                lines.add(line);
                all.append(line);
            }
            byte[] input = bytes(all.toString());
            Collector c = splitRandomly(256, input, random, 1 + random.nextInt(300));
            assertThat(c.texts()).as("seed %d", seed).containsExactlyElementsOf(lines);
            assertThat(c.ends()).as("seed %d", seed).allMatch(e -> e);
        }
    }

    @Test
    void crlfIsKeptAsData() {
        Collector c = splitWhole(64, bytes("a\r\nb\rc\n\r\n"));
        assertThat(c.texts()).containsExactly("a\r\n", "b\rc\n", "\r\n");
        assertThat(c.ends()).containsExactly(true, true, true);
    }

    @Test
    void emptyLinesAreDelivered() {
        Collector c = splitWhole(64, bytes("\n\nabc\n\n"));
        assertThat(c.texts()).containsExactly("\n", "\n", "abc\n", "\n");
        assertThat(c.ends()).containsExactly(true, true, true, true);
    }

    @Test
    void emptyInputDeliversNothing() {
        Collector c = new Collector();
        LineSplitter s = new LineSplitter(64, c);
        s.feed(new byte[0], 0, 0);
        s.finish();
        assertThat(c.pieces).isEmpty();
    }

    // ---- end of stream ----------------------------------------------------------------------------------------

    @Test
    void lastLineWithoutNewlineIsDeliveredByFinish() {
        Collector c = new Collector();
        LineSplitter s = new LineSplitter(64, c);
        byte[] input = bytes("a\nb");
        s.feed(input, 0, input.length);
        assertThat(c.texts()).as("before finish").containsExactly("a\n");
        s.finish();
        assertThat(c.texts()).containsExactly("a\n", "b");
        assertThat(c.ends()).containsExactly(true, true);
    }

    @Test
    void lastLineWithoutNewlineFedByteByByteIsDeliveredByFinish() {
        Collector c = splitInChunks(64, bytes("one\ntwo\nthree"), 1);
        assertThat(c.texts()).containsExactly("one\n", "two\n", "three");
        assertThat(c.ends()).containsExactly(true, true, true);
    }

    @Test
    void finishDeliversNothingWhenInputEndedWithNewline() {
        Collector c = new Collector();
        LineSplitter s = new LineSplitter(64, c);
        byte[] input = bytes("a\nb\n");
        s.feed(input, 0, input.length);
        assertThat(c.texts()).containsExactly("a\n", "b\n");
        s.finish();
        assertThat(c.texts()).as("finish added nothing").containsExactly("a\n", "b\n");
    }

    // ---- max_line --------------------------------------------------------------------------------------------

    @Test
    void lineOfExactlyMaxLineIsDeliveredWhole() {
        int maxLine = 16;
        String line = "0123456789abcdef";
        assertThat(line).hasSize(maxLine);
        byte[] input = bytes(line + "\n" + "next\n");
        for (int size = 1; size <= input.length; size++) {
            Collector c = splitInChunks(maxLine, input, size);
            assertThat(c.texts()).as("chunk size %d", size).containsExactly(line + "\n", "next\n");
            assertThat(c.ends()).as("chunk size %d", size).containsExactly(true, true);
        }
    }

    @Test
    void lineOfExactlyMaxLineWithoutNewlineIsDeliveredWholeByFinish() {
        int maxLine = 16;
        String line = "0123456789abcdef";
        for (int size = 1; size <= line.length(); size++) {
            Collector c = splitInChunks(maxLine, bytes(line), size);
            assertThat(c.texts()).as("chunk size %d", size).containsExactly(line);
            assertThat(c.ends()).as("chunk size %d", size).containsExactly(true);
        }
    }

    @Test
    void lineOfMaxLinePlusOneIsSplitIntoAPieceAndTheRest() {
        int maxLine = 16;
        String line = "0123456789abcdefg";
        assertThat(line).hasSize(maxLine + 1);
        byte[] input = bytes(line + "\n" + "next\n");
        for (int size = 1; size <= input.length; size++) {
            Collector c = splitInChunks(maxLine, input, size);
            assertThat(c.texts()).as("chunk size %d", size)
                    .containsExactly("0123456789abcdef", "g\n", "next\n");
            assertThat(c.ends()).as("chunk size %d", size).containsExactly(false, true, true);
        }
    }

    @Test
    void lineOfMaxLinePlusOneWithoutNewlineIsSplitAndFinishedWithTheRest() {
        int maxLine = 16;
        Collector c = splitWhole(maxLine, bytes("0123456789abcdefg"));
        assertThat(c.texts()).containsExactly("0123456789abcdef", "g");
        assertThat(c.ends()).containsExactly(false, true);
    }

    @Test
    void lineManyTimesMaxLineIsSplitIntoBoundedPiecesAndReadingContinues() {
        int maxLine = 16;
        StringBuilder longLine = new StringBuilder();
        for (int i = 0; longLine.length() < 50 * maxLine + 7; i++) {
            longLine.append((char) ('a' + i % 26));
        }
        String input = "before\n" + longLine + "\n" + "after\n" + "\n" + "end\n";
        byte[] in = bytes(input);
        for (int size : new int[] {1, 2, 3, 5, 15, 16, 17, 33, 100, in.length}) {
            Collector c = splitInChunks(maxLine, in, size);
            assertLongLineLayout(c, maxLine, longLine + "\n", "size " + size);
        }
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            Collector c = splitRandomly(maxLine, in, random, 1 + random.nextInt(80));
            assertLongLineLayout(c, maxLine, longLine + "\n", "random round " + round);
        }
    }

    private static void assertLongLineLayout(Collector c, int maxLine, String longLine, String what) {
        List<Piece> pieces = c.pieces;
        assertThat(pieces.getFirst().text()).as(what).isEqualTo("before\n");
        assertThat(pieces.getFirst().endsLine()).as(what).isTrue();
        // The long line: pieces with endsLine=false, then one piece that ends it.
        int i = 1;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (!pieces.get(i).endsLine()) {
            Piece p = pieces.get(i);
            assertThat(p.bytes().length).as("%s: piece %d length", what, i).isBetween(1, maxLine);
            line.writeBytes(p.bytes());
            i++;
        }
        Piece last = pieces.get(i);
        assertThat(contentLength(last)).as("%s: last piece %d", what, i).isLessThanOrEqualTo(maxLine);
        line.writeBytes(last.bytes());
        assertThat(i - 1).as("%s: number of pieces that do not end the line", what)
                .isGreaterThanOrEqualTo(longLine.length() / maxLine - 1);
        assertThat(line.toString(UTF_8)).as("%s: reassembled long line", what).isEqualTo(longLine);
        // Normal lines afterwards.
        assertThat(c.texts().subList(i + 1, pieces.size())).as(what).containsExactly("after\n", "\n", "end\n");
        assertThat(c.ends().subList(i + 1, pieces.size())).as(what).containsExactly(true, true, true);
    }

    @Test
    void pureAsciiOverLongLinePiecesAreExactlyMaxLine() {
        int maxLine = 8;
        String line = "abcdefgh".repeat(5) + "xyz";
        Collector c = splitWhole(maxLine, bytes(line + "\n"));
        assertThat(c.texts()).containsExactly("abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "abcdefgh", "xyz\n");
        assertThat(c.ends()).containsExactly(false, false, false, false, false, true);
    }

    @Test
    void twoOverLongLinesInARowAreEachReassembled() {
        int maxLine = 8;
        String a = "A".repeat(30);
        String b = "B".repeat(17);
        Collector c = splitWhole(maxLine, bytes(a + "\n" + b + "\n"));
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (Piece p : c.pieces) {
            current.append(p.text());
            if (p.endsLine()) {
                lines.add(current.toString());
                current.setLength(0);
            }
        }
        assertThat(lines).containsExactly(a + "\n", b + "\n");
        assertThat(c.pieces).allMatch(p -> contentLength(p) <= maxLine);
    }

    // ---- UTF-8 boundaries ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\u00e9", "\u20ac", "\uD83D\uDE00"})
    void cutNeverFallsInsideAMultiByteCharacter(String character) {
        int width = bytes(character).length;
        assertThat(width).isBetween(2, 4);
        for (int maxLine = 4; maxLine <= 13; maxLine++) {
            // Every alignment of the character against the cut: 0..width ASCII bytes before the repetitions.
            for (int prefix = 0; prefix <= width + 1; prefix++) {
                String line = "a".repeat(prefix) + character.repeat(5 * maxLine);
                byte[] input = bytes(line + "\ntail\n");
                for (int size : new int[] {1, 2, 3, 7, input.length}) {
                    Collector c = splitInChunks(maxLine, input, size);
                    String what = "width " + width + ", maxLine " + maxLine + ", prefix " + prefix + ", chunk " + size;
                    assertThat(c.pieces.size()).as("%s: the line was cut", what).isGreaterThan(2);
                    for (Piece p : c.pieces) {
                        String text = decodeStrictly(p.bytes());
                        assertThat(text).as("%s: piece %s", what, p).doesNotContain("\uFFFD");
                        assertThat(contentLength(p)).as("%s: piece %s", what, p).isLessThanOrEqualTo(maxLine);
                        if (!p.endsLine()) {
                            // Cut as late as possible: a piece gives back at most width - 1 bytes.
                            assertThat(p.bytes().length).as("%s: piece %s", what, p)
                                    .isGreaterThan(maxLine - width);
                        }
                    }
                    assertReassemblesTo(c, input, maxLine);
                    assertThat(c.texts().getLast()).as(what).isEqualTo("tail\n");
                }
            }
        }
    }

    @Test
    void cutMovesBackOnlyWhenACharacterStraddlesIt() {
        Collector c = splitWhole(6, bytes("ab\u20ac\u00e9\u00e9\n"));
        // bytes: a b E2 82 AC C3 | A9 C3 A9 \n -> the 6th byte is the lead of é: cut moves back to 5.
        assertThat(c.texts()).containsExactly("ab\u20ac", "\u00e9\u00e9\n");
        assertThat(c.ends()).containsExactly(false, true);

        Collector d = splitWhole(5, bytes("ab\u20acxyz\n"));
        // bytes: a b E2 82 AC | x y z \n -> the character ends exactly at the cut.
        assertThat(d.texts()).containsExactly("ab\u20ac", "xyz\n");
        assertThat(d.ends()).containsExactly(false, true);
    }

    @Test
    void randomMixedWidthTextIsNeverCutInsideACharacter() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            int maxLine = 4 + random.nextInt(20);
            StringBuilder all = new StringBuilder();
            int lines = 1 + random.nextInt(6);
            for (int i = 0; i < lines; i++) {
                all.append(randomText(random, random.nextInt(20 * maxLine))).append('\n');
            }
            if (random.nextBoolean()) {
                all.append(randomText(random, 1 + random.nextInt(5 * maxLine))); // no final newline
            }
            byte[] input = bytes(all.toString());
            Collector c = splitRandomly(maxLine, input, random, 1 + random.nextInt(3 * maxLine));
            for (Piece p : c.pieces) {
                assertThat(decodeStrictly(p.bytes())).as("seed %d maxLine %d piece %s", seed, maxLine, p)
                        .doesNotContain("\uFFFD");
            }
            assertReassemblesTo(c, input, maxLine);
            StringBuilder reassembled = new StringBuilder();
            List<String> got = new ArrayList<>();
            for (Piece p : c.pieces) {
                reassembled.append(p.text());
                if (p.endsLine()) {
                    got.add(reassembled.toString());
                    reassembled.setLength(0);
                }
            }
            assertThat(reassembled).as("nothing left unterminated").isEmpty();
            assertThat(String.join("", got)).as("seed %d", seed).isEqualTo(all.toString());
            assertThat(got).as("seed %d: number of lines", seed)
                    .hasSize(lines + (all.charAt(all.length() - 1) == '\n' ? 0 : 1));
        }
    }

    /** Random text mixing 1-, 2-, 3- and 4-byte UTF-8 characters (no newlines). */
    private static String randomText(Random random, int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            switch (random.nextInt(4)) {
                case 0 -> sb.append((char) ('a' + random.nextInt(26)));
                case 1 -> sb.append((char) (0x00C0 + random.nextInt(0x100)));
                case 2 -> sb.append((char) (0x4E00 + random.nextInt(0x1000)));
                default -> sb.appendCodePoint(0x1F600 + random.nextInt(0x40));
            }
        }
        return sb.toString();
    }

    // ---- constructor -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {3, 1, 0, -1, Integer.MIN_VALUE})
    void constructorRejectsMaxLineBelowFour(int maxLine) {
        assertThatThrownBy(() -> new LineSplitter(maxLine, new Collector()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLine")
                .hasMessageContaining(String.valueOf(maxLine));
    }

    @Test
    void constructorAcceptsMaxLineOfFour() {
        Collector c = splitWhole(4, bytes("\uD83D\uDE00\uD83D\uDE00\n"));
        assertThat(c.texts()).containsExactly("\uD83D\uDE00", "\uD83D\uDE00\n");
        assertThat(c.ends()).containsExactly(false, true);
    }
}
