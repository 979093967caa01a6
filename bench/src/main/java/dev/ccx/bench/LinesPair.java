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

    /** A run during which other work took less than this share of the CPUs counts as quiet. */
    static final double QUIET_PCT = 10;

    private LinesPair() {
    }

    /** Each run's share of the CPUs taken by other work, and the median lines/s of the quiet rounds. */
    static void record(List<Lines.Run> runs, List<Double> busy, List<Integer> quiet, Results r, String k) {
        StringBuilder all = new StringBuilder();
        for (int j = 0; j < busy.size(); j++) {
            all.append(j == 0 ? "" : ",").append(Math.round(busy.get(j)));
        }
        r.put(k + ".others_pct_all", all.toString());
        if (!quiet.isEmpty()) {
            double[] lps = quiet.stream().mapToDouble(j -> runs.get(j).linesPerSecond()).toArray();
            r.put(k + ".lines_per_s_quiet", Stats.median(lps));
        }
    }

    static void run(URI[] urls, long[] pids, String[] labels, String gen, int lines, int warmup, int rounds, Results r,
                    String key) throws IOException {
        int n = urls.length;
        String params = "{\"argv\":[\"" + gen + "\",\"" + lines + "\"]}";
        List<List<Lines.Run>> runs = new ArrayList<>();
        List<List<Double>> cpu = new ArrayList<>();
        List<List<Double>> written = new ArrayList<>();
        List<List<Double>> busy = new ArrayList<>();
        List<List<Double>> devWritten = new ArrayList<>();
        List<List<Double>> dirtyAfter = new ArrayList<>();
        RawWs[] ws = new RawWs[n];
        try {
            for (int i = 0; i < n; i++) {
                ws[i] = CcxClient.open(urls[i], BUFFER, TIMEOUT_MS);
                runs.add(new ArrayList<>());
                cpu.add(new ArrayList<>());
                written.add(new ArrayList<>());
                busy.add(new ArrayList<>());
                devWritten.add(new ArrayList<>());
                dirtyAfter.add(new ArrayList<>());
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
                    ProcStat.Load runLoad = ProcStat.Load.start(pids);
                    long d0 = ProcStat.diskWrittenBytes();
                    Lines.Run run = Lines.ccxRun(ws[i], params, lines, id++);
                    double others = runLoad.othersPct();
                    double device = (ProcStat.diskWrittenBytes() - d0) / 1e6;
                    double dirty = ProcStat.dirtyBytes() / 1e6;
                    double c = (ProcStat.cpuTicks(pids[i]) - c0) / ProcStat.HZ;
                    double w = (ProcStat.writeBytes(pids[i]) - w0) / 1e6;
                    boolean measured = round >= warmup;
                    System.err.printf("%s.%s round %d%s: %.0f lines/s, %.3f s, server CPU %.2f s, server wrote "
                                    + "%.1f MB to storage, the disks wrote %.1f MB, %.0f MB dirty after, others on "
                                    + "the machine %.0f%%%n", key, labels[i], round + 1, measured ? "" : " (warmup)",
                            run.linesPerSecond(), run.nanosToLastLine() / 1e9, c, w, device, dirty, others);
                    if (measured) {
                        runs.get(i).add(run);
                        cpu.get(i).add(c);
                        written.get(i).add(w);
                        busy.get(i).add(others);
                        devWritten.get(i).add(device);
                        dirtyAfter.get(i).add(dirty);
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
        // Quiet rounds: every run of the round had less than QUIET_PCT of the CPUs going to other work.
        List<Integer> quiet = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            boolean q = true;
            for (int i = 0; i < n; i++) {
                q &= busy.get(i).get(round) < QUIET_PCT;
            }
            if (q) {
                quiet.add(round);
            }
        }
        r.put(key + ".quiet_rounds", quiet.size());
        for (int i = 0; i < n; i++) {
            String k = key + "." + labels[i];
            Lines.record(runs.get(i).toArray(Lines.Run[]::new), r, k);
            record(runs.get(i), busy.get(i), quiet, r, k);
            r.put(k + ".server_cpu_s", Stats.median(cpu.get(i).stream().mapToDouble(Double::doubleValue).toArray()));
            r.put(k + ".server_written_mb",
                    Stats.median(written.get(i).stream().mapToDouble(Double::doubleValue).toArray()));
            r.put(k + ".disk_written_mb", devWritten.get(i).stream().mapToDouble(Double::doubleValue).sum());
            r.put(k + ".dirty_max_mb", dirtyAfter.get(i).stream().mapToDouble(Double::doubleValue).max()
                    .orElse(0));
        }
    }
}
