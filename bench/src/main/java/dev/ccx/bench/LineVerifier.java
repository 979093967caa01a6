// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

/**
 * Checks the output of {@code bench/gen-lines N}: line i is i as 99 zero-padded decimal digits and a newline (100
 * bytes). Every line must arrive, once, in order.
 */
final class LineVerifier {
    static final int DIGITS = 99;

    private long next;

    /** Lines verified so far, which is also the index the next line must carry. */
    long count() {
        return next;
    }

    /** The data of a ccx {@code process.output} as on the wire: 99 digits and the escaped newline {@code \\n}. */
    void ccxData(byte[] a, int from, int to) {
        if (to - from != DIGITS + 2 || a[from + DIGITS] != '\\' || a[from + DIGITS + 1] != 'n') {
            throw fail("data is not 99 digits and a newline", a, from, to - from);
        }
        check(a, from, from, to - from);
    }

    /** A websocketd message: the line, with or without its newline. */
    void plainLine(byte[] a, int off, int len) {
        if (!(len == DIGITS || (len == DIGITS + 1 && a[off + DIGITS] == '\n'))) {
            throw fail("message is not 99 digits", a, off, len);
        }
        check(a, off, off, len);
    }

    /** Checks 99 digits at {@code p}, which must spell the expected index. */
    private void check(byte[] a, int p, int off, int len) {
        long v = 0;
        for (int k = 0; k < DIGITS; k++) {
            int c = a[p + k] - '0';
            if (c < 0 || c > 9 || v > 100_000_000_000_000L) {
                throw fail("not a line index", a, off, len);
            }
            v = v * 10 + c;
        }
        if (v != next) {
            throw fail("expected line " + next + ", got line " + v, a, off, len);
        }
        next++;
    }

    private static BenchFailure fail(String why, byte[] a, int off, int len) {
        return new BenchFailure(why + ": " + new String(a, off, Math.min(len, 400),
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
