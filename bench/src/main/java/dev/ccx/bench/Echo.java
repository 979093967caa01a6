// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;

/** Scenario (a): round trips of a command that prints one line. */
final class Echo {
    private static final CcxClient.OutputSink HI = CcxClient.expect("hi\\n");
    private static final int BUFFER = 64 * 1024;
    private static final int TIMEOUT_MS = 30_000;
    /** The last few executions print when each message arrived, to show where the time goes. */
    private static final int TRACED = 3;

    private Echo() {
    }

    /** Many executions one after the other on one connection: time from sending execute to process.completed. */
    static void ccxOneConnection(URI url, String params, int warmup, int count, Results r, String key)
            throws IOException {
        long[] lat = new long[count];
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS)) {
            for (int i = 0; i < warmup + count; i++) {
                String request = CcxClient.executeRequest(i + 1, params);
                StringBuilder trace = i >= warmup + count - TRACED ? new StringBuilder() : null;
                long t0 = System.nanoTime();
                ws.sendText(request);
                CcxClient.Outcome o = CcxClient.run(ws, HI, t0, trace);
                long t = o.completedNanos() - t0;
                if (trace != null) {
                    System.err.println(key + " trace:" + trace);
                }
                CcxClient.requireCompleted(o, 1);
                if (i >= warmup) {
                    lat[i - warmup] = t;
                }
            }
            ws.closeGracefully(2000);
        }
        Stats s = Stats.of(lat);
        System.err.println(key + ": " + s);
        s.record(r, key);
    }

    /**
     * A new connection per execution: connect, wait for connected, execute, wait for process.completed (timed), then
     * close (not timed).
     */
    static void ccxNewConnection(URI url, String params, int warmup, int count, Results r, String key)
            throws IOException {
        long[] lat = new long[count];
        long[] connect = new long[count];
        for (int i = 0; i < warmup + count; i++) {
            String request = CcxClient.executeRequest(1, params);
            long t0 = System.nanoTime();
            RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
            long t1 = System.nanoTime();
            try {
                ws.sendText(request);
                CcxClient.Outcome o = CcxClient.run(ws, HI);
                CcxClient.requireCompleted(o, 1);
                if (i >= warmup) {
                    lat[i - warmup] = o.completedNanos() - t0;
                    connect[i - warmup] = t1 - t0;
                }
            } finally {
                ws.closeGracefully(2000);
            }
        }
        Stats s = Stats.of(lat);
        Stats c = Stats.of(connect);
        System.err.println(key + ": " + s);
        System.err.println(key + ".connect: " + c);
        s.record(r, key);
        c.record(r, key + ".connect");
    }

    /**
     * websocketd running {@code echo hi} per connection: connect (the command starts), receive the line, see the close
     * frame. Timed from the connect to the close.
     */
    static void websocketdNewConnection(URI url, int warmup, int count, Results r, String key) throws IOException {
        long[] lat = new long[count];
        long[] first = new long[count];
        for (int i = 0; i < warmup + count; i++) {
            long t0 = System.nanoTime();
            try (RawWs ws = RawWs.connect(url, BUFFER, TIMEOUT_MS)) {
                int op = ws.next();
                long t1 = System.nanoTime();
                if (op != RawWs.TEXT || !ws.text().strip().equals("hi")) {
                    throw new BenchFailure("websocketd: expected the line hi, got op " + op
                            + (op == RawWs.TEXT ? " " + ws.text() : ""));
                }
                op = ws.next();
                long t2 = System.nanoTime();
                if (op != RawWs.CLOSE && op != RawWs.EOF) {
                    throw new BenchFailure("websocketd: expected the close after the line, got op " + op);
                }
                if (op == RawWs.CLOSE) {
                    try {
                        ws.sendClose(1000);
                    } catch (IOException ignored) {
                        // the peer may already be gone
                    }
                }
                if (i >= warmup) {
                    lat[i - warmup] = t2 - t0;
                    first[i - warmup] = t1 - t0;
                }
            }
        }
        Stats s = Stats.of(lat);
        Stats f = Stats.of(first);
        System.err.println(key + ": " + s);
        System.err.println(key + ".first_line: " + f);
        s.record(r, key);
        f.record(r, key + ".first_line");
    }
}
