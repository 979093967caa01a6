// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;

/** The ccx side of the protocol as the benchmark uses it: open a session, run one execution, check what comes back. */
final class CcxClient {
    static final byte[] K_EXECUTION_ID = Json.key("execution_id");
    static final byte[] K_SEQ = Json.key("seq");
    static final byte[] K_STDOUT_LINES = Json.key("stdout_lines");
    static final byte[] K_EXIT_CODE = Json.key("exit_code");
    static final byte[] K_STATUS = Json.key("status");

    /**
     * Receives the stdout lines of the running execution: {@code a[from, to)} is the {@code data} string as it is on
     * the wire (JSON-escaped, without the quotes); the message has been checked to be a whole, untruncated stdout
     * line of this execution with a larger {@code seq} than the one before.
     */
    @FunctionalInterface
    interface OutputSink {
        void output(byte[] a, int from, int to);
    }

    private static final byte[] OUTPUT_HEAD = Json.bytes(
            "{\"jsonrpc\":\"2.0\",\"method\":\"process.output\",\"params\":{\"type\":\"stdout\",\"data\":\"");
    private static final byte[] K_DATA = Json.bytes("\"data\":\"");
    private static final byte[] STDOUT = Json.bytes("\"type\":\"stdout\"");
    private static final byte[] NOT_TRUNCATED = Json.bytes("\"truncated\":false");
    private static final byte[] NO_CHUNKS = Json.bytes("\"chunk_index\":null");

    /** What one execution produced, as seen by the client. Times are {@link System#nanoTime()} values. */
    record Outcome(String executionId, String status, long exitCode, long stdoutLines, long outputs, long wireBytes,
                   long responseNanos, long lastOutputNanos, long completedNanos) {
    }

    private CcxClient() {
    }

    /** Connects and waits for the {@code connected} notification. */
    static RawWs open(URI url, int bufferSize, int timeoutMillis) throws IOException {
        RawWs ws = RawWs.connect(url, bufferSize, timeoutMillis);
        try {
            while (true) {
                int op = ws.next();
                if (op == RawWs.CLOSE || op == RawWs.EOF) {
                    throw new BenchFailure("connection closed before 'connected' (close code " + ws.closeCode + ")");
                }
                switch (Json.classify(ws.data, ws.off, ws.len)) {
                    case CONNECTED -> {
                        return ws;
                    }
                    case PING -> { }
                    default -> throw new BenchFailure("expected 'connected', got: " + ws.text());
                }
            }
        } catch (IOException | RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    static String executeRequest(long id, String paramsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"execute\",\"params\":" + paramsJson + "}";
    }

    /**
     * Reads until {@code process.completed} of the execution just requested on {@code ws}. Checks that the execute
     * call succeeded, that every notification belongs to this execution, and that {@code seq} increases.
     */
    static Outcome run(RawWs ws, OutputSink sink) throws IOException {
        return run(ws, sink, 0, null);
    }

    /**
     * As {@link #run(RawWs, OutputSink)}; when {@code trace} is given, appends each message's kind and its arrival
     * in microseconds after {@code t0}.
     */
    static Outcome run(RawWs ws, OutputSink sink, long t0, StringBuilder trace) throws IOException {
        return run(ws, sink, t0, trace, null);
    }

    /**
     * Reads until {@code process.completed} of {@code executionId}, whose execute result and {@code process.started}
     * were read already; responses (to other requests) are skipped.
     */
    static Outcome follow(RawWs ws, String executionId, OutputSink sink) throws IOException {
        return run(ws, sink, 0, null, executionId);
    }

    private static Outcome run(RawWs ws, OutputSink sink, long t0, StringBuilder trace, String knownId)
            throws IOException {
        String executionId = knownId;
        byte[] idPattern = knownId == null ? null : idPattern(knownId);
        byte[] idTail = knownId == null ? null : idTail(knownId);
        long lastSeq = 0;
        long outputs = 0;
        long wire = 0;
        long lastOutput = 0;
        long response = 0;
        while (true) {
            int op = ws.next();
            if (op == RawWs.CLOSE || op == RawWs.EOF) {
                throw new BenchFailure("connection closed during an execution (close code " + ws.closeCode
                        + ") after " + outputs + " output messages");
            }
            byte[] a = ws.data;
            int off = ws.off;
            int len = ws.len;
            Json.Kind kind = Json.classify(a, off, len);
            if (trace != null) {
                trace.append(' ').append(kind.name().toLowerCase(java.util.Locale.ROOT)).append('@')
                        .append((System.nanoTime() - t0) / 1000).append("us");
            }
            switch (kind) {
                case OUTPUT -> {
                    if (idPattern == null) {
                        throw new BenchFailure("process.output before the execute result: " + ws.text());
                    }
                    long seq = output(a, off, len, idTail, sink);
                    if (seq == Long.MIN_VALUE) {
                        seq = outputSlow(a, off, len, idPattern, sink, ws);
                    }
                    if (seq <= lastSeq) {
                        throw new BenchFailure("seq went from " + lastSeq + " to " + seq + ": " + ws.text());
                    }
                    lastSeq = seq;
                    outputs++;
                    wire += len;
                    lastOutput = System.nanoTime();
                }
                case RESPONSE -> {
                    if (knownId != null) {
                        continue;
                    }
                    response = System.nanoTime();
                    executionId = Json.stringField(a, off, len, K_EXECUTION_ID);
                    String status = Json.stringField(a, off, len, K_STATUS);
                    if (executionId == null || !"started".equals(status)) {
                        throw new BenchFailure("unexpected execute result: " + ws.text());
                    }
                    idPattern = idPattern(executionId);
                    idTail = idTail(executionId);
                }
                case STARTED -> {
                    if (idPattern == null || Json.indexOf(a, off, off + len, idPattern) < 0) {
                        throw new BenchFailure("process.started before the execute result or for another "
                                + "execution: " + ws.text());
                    }
                    lastSeq = Json.longField(a, off, len, K_SEQ);
                }
                case COMPLETED -> {
                    long now = System.nanoTime();
                    if (idPattern == null || Json.indexOf(a, off, off + len, idPattern) < 0) {
                        throw new BenchFailure("process.completed of another execution: " + ws.text());
                    }
                    long seq = Json.longField(a, off, len, K_SEQ);
                    if (seq <= lastSeq) {
                        throw new BenchFailure("seq went from " + lastSeq + " to " + seq + ": " + ws.text());
                    }
                    return new Outcome(executionId, Json.stringField(a, off, len, K_STATUS),
                            Json.longField(a, off, len, K_EXIT_CODE), Json.longField(a, off, len, K_STDOUT_LINES),
                            outputs, wire, response, lastOutput == 0 ? now : lastOutput, now);
                }
                case ERROR -> throw new BenchFailure("server answered with an error: " + ws.text());
                case PING, CONNECTED, OTHER -> { }
            }
        }
    }

    /**
     * The fast path for the exact layout ccx sends: the whole message is compared, nothing searched. Returns the seq,
     * or {@link Long#MIN_VALUE} when the layout differs (then {@link #outputSlow} decides).
     */
    private static long output(byte[] a, int off, int len, byte[] idTail, OutputSink sink) {
        int end = off + len;
        if (!Json.startsWith(a, off, end, OUTPUT_HEAD)) {
            return Long.MIN_VALUE;
        }
        int from = off + OUTPUT_HEAD.length;
        int q = from;
        while (q < end && a[q] != '"') {
            q += a[q] == '\\' ? 2 : 1;
        }
        if (!Json.startsWith(a, q, end, idTail)) {
            return Long.MIN_VALUE;
        }
        int p = q + idTail.length;
        long seq = 0;
        int digits = 0;
        while (p < end && a[p] >= '0' && a[p] <= '9') {
            seq = seq * 10 + (a[p++] - '0');
            digits++;
        }
        if (digits == 0 || p + 2 != end || a[p] != '}' || a[p + 1] != '}') {
            return Long.MIN_VALUE;
        }
        sink.output(a, from, q);
        return seq;
    }

    /** Any other layout: the same checks by searching. */
    private static long outputSlow(byte[] a, int off, int len, byte[] idPattern, OutputSink sink, RawWs ws) {
        int end = off + len;
        if (Json.indexOf(a, off, end, idPattern) < 0) {
            throw new BenchFailure("process.output of another execution: " + ws.text());
        }
        if (Json.indexOf(a, off, end, STDOUT) < 0 || Json.indexOf(a, off, end, NOT_TRUNCATED) < 0
                || Json.indexOf(a, off, end, NO_CHUNKS) < 0) {
            throw new BenchFailure("not a whole stdout line: " + ws.text());
        }
        int d = Json.indexOf(a, off, end, K_DATA);
        if (d < 0) {
            throw new BenchFailure("process.output without data: " + ws.text());
        }
        int from = d + K_DATA.length;
        int q = from;
        while (q < end && a[q] != '"') {
            q += a[q] == '\\' ? 2 : 1;
        }
        long seq = Json.longField(a, off, len, K_SEQ);
        if (q >= end || seq == Long.MIN_VALUE) {
            throw new BenchFailure("malformed process.output: " + ws.text());
        }
        sink.output(a, from, q);
        return seq;
    }

    /** {@code "execution_id":"ID"}, to find the execution's id anywhere in a message. */
    static byte[] idPattern(String executionId) {
        return Json.bytes("\"execution_id\":\"" + executionId + "\"");
    }

    /** What follows the {@code data} string of a whole stdout line of {@code executionId}, up to its seq. */
    static byte[] idTail(String executionId) {
        return Json.bytes("\",\"truncated\":false,\"chunk_index\":null,\"total_chunks\":null,"
                + "\"execution_id\":\"" + executionId + "\",\"seq\":");
    }

    /**
     * The current message of {@code ws}, a {@code process.output}, checked as in {@link #run}: a whole stdout line of
     * the execution whose {@link #idPattern} and {@link #idTail} are given, handed to {@code sink}. Returns its seq.
     */
    static long outputSeq(RawWs ws, byte[] idPattern, byte[] idTail, OutputSink sink) {
        long seq = output(ws.data, ws.off, ws.len, idTail, sink);
        return seq != Long.MIN_VALUE ? seq : outputSlow(ws.data, ws.off, ws.len, idPattern, sink, ws);
    }

    /** A sink that requires every line to be exactly {@code line} (as escaped on the wire, e.g. {@code hi\\n}). */
    static OutputSink expect(String line) {
        byte[] want = Json.bytes(line);
        return (a, from, to) -> {
            if (to - from != want.length || !Json.startsWith(a, from, to, want)) {
                throw new BenchFailure("expected the output line " + line + ", got "
                        + new String(a, from, to - from, java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }

    /** Fails unless the execution exited 0 with {@code lines} stdout lines, all of which arrived. */
    static void requireCompleted(Outcome o, long lines) {
        if (!"completed".equals(o.status()) || o.exitCode() != 0) {
            throw new BenchFailure("execution " + o.executionId() + " ended with status " + o.status() + ", exit "
                    + o.exitCode());
        }
        if (o.stdoutLines() != lines || o.outputs() != lines) {
            throw new BenchFailure("execution " + o.executionId() + ": expected " + lines + " lines, server counted "
                    + o.stdoutLines() + " (stdout_lines), client received " + o.outputs());
        }
    }
}
