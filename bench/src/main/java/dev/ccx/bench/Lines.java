// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;

/** Scenario (b): a command printing N lines of 100 bytes, every line received and checked. */
final class Lines {
    static final int LINE_BYTES = 100;
    private static final int BUFFER = 1 << 20;
    private static final int TIMEOUT_MS = 60_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Lines() {
    }

    /** CPU time of the calling thread, ns. */
    static long threadCpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** One run's measurements. */
    record Run(long lines, long wireBytes, long nanosToLastLine, long nanosToEnd, double clientCpu) {
        double linesPerSecond() {
            return lines / (nanosToLastLine / 1e9);
        }

        double payloadMBps() {
            return lines * (double) LINE_BYTES / 1e6 / (nanosToLastLine / 1e9);
        }

        double wireMBps() {
            return wireBytes / 1e6 / (nanosToLastLine / 1e9);
        }
    }

    /** Runs {@code gen N} through ccx on one connection, warmup runs first; records the median of the runs. */
    static void ccx(URI url, String gen, int lines, int warmup, int runs, Results r, String key) throws IOException {
        String params = "{\"argv\":[\"" + gen + "\",\"" + lines + "\"]}";
        Run[] measured = new Run[runs];
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS)) {
            for (int i = 0; i < warmup + runs; i++) {
                Run run = ccxRun(ws, params, lines, i + 1);
                System.err.printf("%s run %d%s: %.0f lines/s, %.1f MB/s payload, %.1f MB/s wire, %.3fs, client "
                                + "thread CPU %.0f%%%n", key, i + 1, i < warmup ? " (warmup)" : "",
                        run.linesPerSecond(), run.payloadMBps(), run.wireMBps(), run.nanosToLastLine() / 1e9,
                        100 * run.clientCpu());
                if (i >= warmup) {
                    measured[i - warmup] = run;
                }
            }
            ws.closeGracefully(2000);
        }
        record(measured, r, key);
    }

    /** One execution on an open ccx connection: sends execute and reads until process.completed. */
    static Run ccxRun(RawWs ws, String params, long lines, long id) throws IOException {
        LineVerifier v = new LineVerifier();
        String request = CcxClient.executeRequest(id, params);
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        ws.sendText(request);
        CcxClient.Outcome o = CcxClient.run(ws, v::ccxData);
        double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / (double) (o.completedNanos() - t0);
        if (v.count() != lines) {
            throw new BenchFailure("received " + v.count() + " of " + lines + " lines");
        }
        CcxClient.requireCompleted(o, lines);
        return new Run(lines, o.wireBytes(), o.lastOutputNanos() - t0, o.completedNanos() - t0, cpu);
    }

    /** websocketd running {@code gen N} per connection: connect, receive every line, see the close. */
    static void websocketd(URI url, int lines, int warmup, int runs, Results r, String key) throws IOException {
        Run[] measured = new Run[runs];
        for (int i = 0; i < warmup + runs; i++) {
            LineVerifier v = new LineVerifier();
            long wire = 0;
            long last = 0;
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            try (RawWs ws = RawWs.connect(url, BUFFER, TIMEOUT_MS)) {
                int op;
                while ((op = ws.next()) == RawWs.TEXT) {
                    v.plainLine(ws.data, ws.off, ws.len);
                    wire += ws.len;
                    last = System.nanoTime();
                }
                long end = System.nanoTime();
                if (op != RawWs.CLOSE && op != RawWs.EOF) {
                    throw new BenchFailure("websocketd: unexpected opcode " + op);
                }
                if (v.count() != lines) {
                    throw new BenchFailure("websocketd: received " + v.count() + " of " + lines + " lines");
                }
                Run run = new Run(lines, wire, last - t0, end - t0,
                        (THREADS.getCurrentThreadCpuTime() - cpu0) / (double) (end - t0));
                System.err.printf("%s run %d%s: %.0f lines/s, %.1f MB/s payload, %.3fs, client thread CPU %.0f%%%n",
                        key, i + 1, i < warmup ? " (warmup)" : "", run.linesPerSecond(), run.payloadMBps(),
                        run.nanosToLastLine() / 1e9, 100 * run.clientCpu());
                if (i >= warmup) {
                    measured[i - warmup] = run;
                }
            }
        }
        record(measured, r, key);
    }

    static void record(Run[] runs, Results r, String key) {
        double[] lps = new double[runs.length];
        double[] mbps = new double[runs.length];
        double[] wire = new double[runs.length];
        double[] secs = new double[runs.length];
        double[] cpu = new double[runs.length];
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < runs.length; i++) {
            lps[i] = runs[i].linesPerSecond();
            mbps[i] = runs[i].payloadMBps();
            wire[i] = runs[i].wireMBps();
            secs[i] = runs[i].nanosToLastLine() / 1e9;
            cpu[i] = runs[i].clientCpu();
            all.append(i == 0 ? "" : ",").append(Math.round(lps[i]));
        }
        r.put(key + ".lines", runs[0].lines());
        r.put(key + ".runs", runs.length);
        r.put(key + ".lines_per_s", Stats.median(lps));
        r.put(key + ".lines_per_s_all", all.toString());
        r.put(key + ".payload_mb_per_s", Stats.median(mbps));
        r.put(key + ".wire_mb_per_s", Stats.median(wire));
        r.put(key + ".seconds", Stats.median(secs));
        r.put(key + ".client_cpu", Stats.median(cpu));
        r.put(key + ".verified", "yes");
    }
}
