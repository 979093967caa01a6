// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario (b) against two servers side by side in one run (two builds of ccx, for example before and after a
 * change): one connection to each, warm-up runs on each, then rounds in ABBA order, so that whatever else loads the
 * machine falls on both alike. Each run is exactly (b)'s ({@link Lines#ccxRun}); the server's CPU time and the bytes
 * it wrote to storage are read from {@code /proc} around every run.
 */
final class LinesPair {
    private static final int BUFFER = 1 << 20;
    private static final int TIMEOUT_MS = 60_000;

    private LinesPair() {
    }

    static void run(URI[] urls, long[] pids, String[] labels, String gen, int lines, int warmup, int rounds, Results r,
                    String key) throws IOException {
        int n = urls.length;
        String params = "{\"argv\":[\"" + gen + "\",\"" + lines + "\"]}";
        List<List<Lines.Run>> runs = new ArrayList<>();
        List<List<Double>> cpu = new ArrayList<>();
        List<List<Double>> written = new ArrayList<>();
        RawWs[] ws = new RawWs[n];
        try {
            for (int i = 0; i < n; i++) {
                ws[i] = CcxClient.open(urls[i], BUFFER, TIMEOUT_MS);
                runs.add(new ArrayList<>());
                cpu.add(new ArrayList<>());
                written.add(new ArrayList<>());
            }
            long id = 1;
            ProcStat.Load load = null;
            for (int round = 0; round < warmup + rounds; round++) {
                if (round == warmup) {
                    load = ProcStat.Load.start(pids);
                }
                for (int k = 0; k < n; k++) {
                    int i = round % 2 == 0 ? k : n - 1 - k; // ABBA
                    long c0 = ProcStat.cpuTicks(pids[i]);
                    long w0 = ProcStat.writeBytes(pids[i]);
                    Lines.Run run = Lines.ccxRun(ws[i], params, lines, id++);
                    double c = (ProcStat.cpuTicks(pids[i]) - c0) / ProcStat.HZ;
                    double w = (ProcStat.writeBytes(pids[i]) - w0) / 1e6;
                    boolean measured = round >= warmup;
                    System.err.printf("%s.%s round %d%s: %.0f lines/s, %.3f s, server CPU %.2f s, server wrote "
                                    + "%.1f MB to storage%n", key, labels[i], round + 1, measured ? "" : " (warmup)",
                            run.linesPerSecond(), run.nanosToLastLine() / 1e9, c, w);
                    if (measured) {
                        runs.get(i).add(run);
                        cpu.get(i).add(c);
                        written.get(i).add(w);
                    }
                }
            }
            load.record(r, key);
            for (RawWs w : ws) {
                w.closeGracefully(2000);
            }
        } finally {
            for (RawWs w : ws) {
                if (w != null) {
                    w.close();
                }
            }
        }
        for (int i = 0; i < n; i++) {
            String k = key + "." + labels[i];
            Lines.record(runs.get(i).toArray(Lines.Run[]::new), r, k);
            r.put(k + ".server_cpu_s", Stats.median(cpu.get(i).stream().mapToDouble(Double::doubleValue).toArray()));
            r.put(k + ".server_written_mb",
                    Stats.median(written.get(i).stream().mapToDouble(Double::doubleValue).toArray()));
        }
    }
}
