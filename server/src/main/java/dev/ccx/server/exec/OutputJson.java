// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.nio.charset.StandardCharsets;

/**
 * Writes the {@code process.output} notification for an ASCII line straight from the pipe's bytes, skipping the
 * general JSON mapper. Output lines are the one message sent hundreds of thousands of times a second, and most of
 * them are ASCII; for those, decoding to a string and serialising a record cost more than the rest of the path.
 *
 * <p>The text is the same JSON that {@code Wire.mapper()} writes for a {@link dev.ccx.protocol.ProcessOutput}
 * record inside a notification (a test checks it). Lines with any byte of 0x80 or above go the general way, so
 * UTF-8 decoding and the replacement of invalid bytes stay in one place.
 */
final class OutputJson {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD = ascii("{\"jsonrpc\":\"2.0\",\"method\":\"process.output\",\"params\":{\"type\":\"");
    private static final byte[] DATA = ascii("\",\"data\":\"");
    private static final byte[] TAIL = ascii("\",\"truncated\":false,\"chunk_index\":null,\"total_chunks\":null,"
            + "\"execution_id\":\"");
    private static final byte[] SEQ = ascii("\",\"seq\":");

    private OutputJson() {
    }

    /**
     * How many bytes escaping adds to a whole line that can take this path, or -1 when it cannot: it has a byte of
     * 0x80 or above, or is too long for one message.
     */
    static int asciiExtra(byte[] bytes, int offset, int length) {
        if (length > dev.ccx.protocol.Wire.CHUNK_CHARS) {
            return -1;
        }
        int end = offset + length;
        int extra = 0;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b < 0) {
                return -1;
            }
            if (b < 0x20 || b == '"' || b == '\\') {
                extra += isNamed(b) ? 1 : 5;
            }
        }
        return extra;
    }

    /**
     * The notification, as UTF-8 (here: ASCII) bytes, for a line that {@link #asciiExtra} accepted.
     *
     * @param extra what {@link #asciiExtra} returned for the line
     */
    static byte[] asciiLine(String type, byte[] bytes, int offset, int length, int extra, String executionId,
                            long seq) {
        int end = offset + length;
        String seqText = Long.toString(seq);
        byte[] out = new byte[HEAD.length + type.length() + DATA.length + length + extra + TAIL.length
                + executionId.length() + SEQ.length + seqText.length() + 2];
        int n = put(out, 0, HEAD);
        n = putAscii(out, n, type);
        n = put(out, n, DATA);
        if (extra == 0) {
            System.arraycopy(bytes, offset, out, n, length);
            n += length;
        } else {
            for (int i = offset; i < end; i++) {
                byte b = bytes[i];
                if (b < 0x20 || b == '"' || b == '\\') {
                    n = escape(out, n, b);
                } else {
                    out[n++] = b;
                }
            }
        }
        n = put(out, n, TAIL);
        n = putAscii(out, n, executionId);
        n = put(out, n, SEQ);
        n = putAscii(out, n, seqText);
        out[n++] = '}';
        out[n] = '}';
        return out;
    }

    private static boolean isNamed(byte b) {
        return b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t' || b == '\b' || b == '\f';
    }

    private static int escape(byte[] out, int n, byte b) {
        out[n++] = '\\';
        if (isNamed(b)) {
            out[n++] = (byte) switch (b) {
                case '\n' -> 'n';
                case '\r' -> 'r';
                case '\t' -> 't';
                case '\b' -> 'b';
                case '\f' -> 'f';
                default -> b; // '"' and '\\' escape as themselves
            };
            return n;
        }
        out[n++] = 'u';
        out[n++] = '0';
        out[n++] = '0';
        out[n++] = HEX[b >> 4];
        out[n++] = HEX[b & 0xF];
        return n;
    }

    private static int put(byte[] out, int n, byte[] part) {
        System.arraycopy(part, 0, out, n, part.length);
        return n + part.length;
    }

    private static int putAscii(byte[] out, int n, String s) {
        s.getBytes(0, s.length(), out, n); // deprecated for charsets in general, exact for ASCII
        return n + s.length();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
