// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Just enough byte-level JSON reading for the messages ccx sends, without building a tree: the load generator has to
 * keep up with 500,000+ messages a second on a machine it shares with the server. Every field looked up here is a
 * flat scalar at a known key, which is all the benchmark needs.
 */
final class Json {
    enum Kind { OUTPUT, COMPLETED, STARTED, CONNECTED, PING, RESPONSE, ERROR, OTHER }

    private static final byte[] METHOD = bytes("\"method\":\"");
    private static final byte[] M_OUTPUT = bytes("process.output\"");
    private static final byte[] M_COMPLETED = bytes("process.completed\"");
    private static final byte[] M_STARTED = bytes("process.started\"");
    private static final byte[] M_CONNECTED = bytes("connected\"");
    private static final byte[] M_PING = bytes("ping\"");
    private static final byte[] ERROR = bytes("\"error\":");
    private static final byte[] RESULT = bytes("\"result\":");

    private Json() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** First index of {@code pat} in {@code a[from, to)}, or -1. */
    static int indexOf(byte[] a, int from, int to, byte[] pat) {
        byte first = pat[0];
        int last = to - pat.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (a[i] != first) {
                continue;
            }
            for (int k = 1; k < pat.length; k++) {
                if (a[i + k] != pat[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static boolean startsWith(byte[] a, int at, int to, byte[] pat) {
        return to - at >= pat.length && Arrays.equals(a, at, at + pat.length, pat, 0, pat.length);
    }

    /** What a ccx message is. Notifications carry {@code method} near the start; responses do not. */
    static Kind classify(byte[] a, int off, int len) {
        int end = off + len;
        int m = indexOf(a, off, Math.min(end, off + 48), METHOD);
        if (m >= 0) {
            int at = m + METHOD.length;
            if (startsWith(a, at, end, M_OUTPUT)) {
                return Kind.OUTPUT;
            }
            if (startsWith(a, at, end, M_COMPLETED)) {
                return Kind.COMPLETED;
            }
            if (startsWith(a, at, end, M_STARTED)) {
                return Kind.STARTED;
            }
            if (startsWith(a, at, end, M_CONNECTED)) {
                return Kind.CONNECTED;
            }
            if (startsWith(a, at, end, M_PING)) {
                return Kind.PING;
            }
            return Kind.OTHER;
        }
        if (indexOf(a, off, end, ERROR) >= 0) {
            return Kind.ERROR;
        }
        if (indexOf(a, off, end, RESULT) >= 0) {
            return Kind.RESPONSE;
        }
        return Kind.OTHER;
    }

    /** The integer value of {@code "name":N}, or {@link Long#MIN_VALUE} if absent or not an integer. */
    static long longField(byte[] a, int off, int len, byte[] key) {
        int end = off + len;
        int k = indexOf(a, off, end, key);
        if (k < 0) {
            return Long.MIN_VALUE;
        }
        int p = k + key.length;
        boolean negative = p < end && a[p] == '-';
        if (negative) {
            p++;
        }
        long v = 0;
        int digits = 0;
        while (p < end && a[p] >= '0' && a[p] <= '9') {
            v = v * 10 + (a[p] - '0');
            p++;
            digits++;
        }
        return digits == 0 ? Long.MIN_VALUE : negative ? -v : v;
    }

    /** The value of {@code "name":"value"} (no escapes expected), or {@code null}. */
    static String stringField(byte[] a, int off, int len, byte[] key) {
        int end = off + len;
        int k = indexOf(a, off, end, key);
        if (k < 0) {
            return null;
        }
        int p = k + key.length;
        if (p >= end || a[p] != '"') {
            return null;
        }
        int q = p + 1;
        while (q < end && a[q] != '"') {
            q++;
        }
        return new String(a, p + 1, q - p - 1, StandardCharsets.UTF_8);
    }

    /** Key pattern {@code "name":} for the lookups above. */
    static byte[] key(String name) {
        return bytes("\"" + name + "\":");
    }
}
