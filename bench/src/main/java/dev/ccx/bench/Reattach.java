// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 9: executions that outlive their connection. Two scenarios, each next to its peer in the same run, the
 * variants interleaved round by round so that the load others put on the machine falls on all of them alike:
 *
 * <ul>
 *   <li>{@link #latency}: a fresh connection attaches to a kept, running execution whose output is already logged,
 *       timed to the first replayed notification; the peer is a fresh connection executing {@code echo hi}, timed
 *       to its first notification and its first output line.</li>
 *   <li>{@link #replay}: attach from seq 0 and receive the whole log, every line checked; from a log in memory (a
 *       running execution), from a small ended one and from a large ended one (both on disk: an ended log keeps at
 *       most 8 KiB in memory); the peer is the same command run live on a fresh connection ({@code execute}, as in
 *       (b)).</li>
 * </ul>
 */
final class Reattach {
    private static final int BUFFER = 1 << 20;
    private static final int TIMEOUT_MS = 60_000;
    private static final byte[] K_NEXT_SEQ = Json.key("next_seq");
    private static final byte[] K_OLDEST_SEQ = Json.key("oldest_seq");
    private static final byte[] K_ID = Json.key("id");
    private static final byte[] K_LAST_SEQ = Json.key("last_seq");

    private Reattach() {
    }

    /**
     * An execution started with {@code on_disconnect: keep} that printed {@code lines} lines of {@code gen-lines}:
     * still running (it sleeps after its output) or ended. {@code nextSeq} is the seq its next notification gets,
     * {@code frameBytes} the bytes of all its notifications as sent live.
     */
    record Target(String id, long lines, boolean running, long nextSeq, long frameBytes) {
        /** The seq of its last line: started is 1, the lines 2 to lines + 1. */
        long lastLineSeq() {
            return lines + 1;
        }
    }

    // --- setup ------------------------------------------------------------------------------------------------------

    /**
     * Starts a kept execution printing {@code lines} lines, reads them all live (checked) on its own connection,
     * then detaches (running) or sees it complete (ended), and closes that connection.
     */
    static Target start(URI url, String gen, long lines, boolean running) throws IOException {
        String argv = running
                ? "[\"sh\",\"-c\",\"\\\"$0\\\" \\\"$1\\\" && exec sleep 3600\",\"" + gen + "\",\"" + lines + "\"]"
                : "[\"" + gen + "\",\"" + lines + "\"]";
        String params = "{\"argv\":" + argv + ",\"on_disconnect\":\"keep\"}";
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS)) {
            LineVerifier v = new LineVerifier();
            ws.sendText(CcxClient.executeRequest(1, params));
            String id = null;
            byte[] idPattern = null;
            byte[] idTail = null;
            long seq = 0;
            long bytes = 0;
            while (true) {
                int op = ws.next();
                if (op != RawWs.TEXT) {
                    throw new BenchFailure("setup: connection closed (op " + op + ", close " + ws.closeCode + ")");
                }
                switch (Json.classify(ws.data, ws.off, ws.len)) {
                    case RESPONSE -> {
                        id = Json.stringField(ws.data, ws.off, ws.len, CcxClient.K_EXECUTION_ID);
                        if (id == null) {
                            throw new BenchFailure("setup: unexpected execute result: " + ws.text());
                        }
                        idPattern = CcxClient.idPattern(id);
                        idTail = CcxClient.idTail(id);
                    }
                    case STARTED -> {
                        seq = expectSeq(ws, seq, Json.longField(ws.data, ws.off, ws.len, CcxClient.K_SEQ));
                        bytes += ws.len;
                    }
                    case OUTPUT -> {
                        if (idPattern == null) {
                            throw new BenchFailure("setup: output before the execute result");
                        }
                        seq = expectSeq(ws, seq, CcxClient.outputSeq(ws, idPattern, idTail, v::ccxData));
                        bytes += ws.len;
                    }
                    case COMPLETED -> {
                        if (running) {
                            throw new BenchFailure("setup: the kept execution ended: " + ws.text());
                        }
                        seq = expectSeq(ws, seq, Json.longField(ws.data, ws.off, ws.len, CcxClient.K_SEQ));
                        bytes += ws.len;
                        requireLines(v, lines, ws);
                        ws.closeGracefully(2000);
                        return new Target(id, lines, false, seq + 1, bytes);
                    }
                    case ERROR -> throw new BenchFailure("setup: " + ws.text());
                    default -> { }
                }
                if (running && v.count() == lines && seq == lines + 1) {
                    detach(ws, id, 2);
                    ws.closeGracefully(2000);
                    return new Target(id, lines, true, seq + 1, bytes);
                }
            }
        }
    }

    /** Sends detach and reads (and drops) what comes before its response. */
    private static void detach(RawWs ws, String id, long requestId) throws IOException {
        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + requestId + ",\"method\":\"detach\",\"params\":{\"execution_id\":\""
                + id + "\"}}");
        while (true) {
            int op = ws.next();
            if (op != RawWs.TEXT) {
                throw new BenchFailure("detach: connection closed (op " + op + ")");
            }
            Json.Kind kind = Json.classify(ws.data, ws.off, ws.len);
            if (kind == Json.Kind.ERROR) {
                throw new BenchFailure("detach: " + ws.text());
            }
            if (kind == Json.Kind.RESPONSE && Json.longField(ws.data, ws.off, ws.len, K_ID) == requestId) {
                if (Json.longField(ws.data, ws.off, ws.len, K_LAST_SEQ) == Long.MIN_VALUE) {
                    throw new BenchFailure("detach: unexpected result: " + ws.text());
                }
                return;
            }
        }
    }

    /** Ends a kept execution that is still running (CANCEL from a connection of its own). */
    static void cancel(URI url, Target t) throws IOException {
        try (RawWs ws = CcxClient.open(url, 64 * 1024, TIMEOUT_MS)) {
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"control\",\"params\":{\"type\":\"CANCEL\","
                    + "\"execution_id\":\"" + t.id() + "\"}}");
            while (true) {
                int op = ws.next();
                if (op != RawWs.TEXT) {
                    throw new BenchFailure("cancel: connection closed (op " + op + ")");
                }
                Json.Kind kind = Json.classify(ws.data, ws.off, ws.len);
                if (kind == Json.Kind.ERROR) {
                    throw new BenchFailure("cancel: " + ws.text());
                }
                if (kind == Json.Kind.RESPONSE) {
                    break;
                }
            }
            ws.closeGracefully(2000);
        }
    }

    /**
     * Bytes of the execution's spill files in the server's log directory, once they have stopped changing (the disk
     * thread moves an ended log there after its end, asynchronously): what of the log is on disk.
     */
    static long settledDiskBytes(Path logs, String id) throws IOException {
        long last = -1;
        int stable = 0;
        for (int i = 0; i < 200 && stable < 3; i++) {
            long now = diskBytes(logs, id);
            stable = now == last ? stable + 1 : 0;
            last = now;
            sleep(50);
        }
        return last;
    }

    private static long diskBytes(Path logs, String id) throws IOException {
        if (logs == null || !Files.isDirectory(logs)) {
            return -1;
        }
        long sum = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(logs, id + "-*.log")) {
            for (Path f : files) {
                try {
                    sum += Files.size(f);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // deleted between the listing and the size
                }
            }
        }
        return sum;
    }

    // --- 1. time to the first replayed notification -----------------------------------------------------------------

    /**
     * Attach latency against two kept running targets (log in memory; log mostly on disk, so the first frame is read
     * from a spill file), next to {@code execute echo hi}, each on a fresh connection, interleaved.
     */
    static void latency(URI url, String gen, long pid, long memLines, long diskLines, int warmup, int count,
                        Path logs, Results r, String key) throws IOException {
        Target mem = start(url, gen, memLines, true);
        Target disk = start(url, gen, diskLines, true);
        describe(r, key + ".mem", mem, logs);
        describe(r, key + ".disk", disk, logs);
        if (diskBytes(logs, mem.id()) > 0) {
            throw new BenchFailure("the in-memory target has spilled to disk: choose fewer --mem-lines");
        }
        Samples[] s = {new Samples(key + ".attach_mem", count), new Samples(key + ".attach_disk", count),
                new Samples(key + ".echo", count)};
        ProcStat.Load load = null;
        try {
            for (int i = 0; i < warmup + count; i++) {
                boolean measured = i >= warmup;
                if (i == warmup) {
                    load = ProcStat.Load.start(pid);
                }
                for (int k = 0; k < 3; k++) {
                    int v = (i + k) % 3; // the order rotates, so no variant always runs right after the same one
                    long[] t = v == 2 ? echoSample(url) : attachSample(url, v == 0 ? mem : disk);
                    if (measured) {
                        s[v].add(t);
                    }
                }
            }
            load.record(r, key);
        } finally {
            cancel(url, mem);
            cancel(url, disk);
        }
        for (Samples x : s) {
            x.record(r);
        }
    }

    private static void describe(Results r, String key, Target t, Path logs) throws IOException {
        r.put(key + ".lines", t.lines());
        r.put(key + ".log_bytes", t.frameBytes());
        long disk = settledDiskBytes(logs, t.id());
        r.put(key + ".disk_bytes", disk);
        System.err.printf("%s: %s, %d lines, %d bytes of notifications, %d of them in spill files%n", key,
                t.running() ? "running" : "ended", t.lines(), t.frameBytes(), disk);
    }

    /**
     * Times in nanoseconds of one sample: [0] connect (TCP, upgrade, {@code connected}), [1] request to its response,
     * [2] request to the first notification of the execution, [3] request to its first output line, [4] connect
     * start to the first notification, [5] connect start to the first output line.
     */
    private static long[] attachSample(URI url, Target t) throws IOException {
        long t0 = System.nanoTime();
        RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
        long t1 = System.nanoTime();
        try {
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attach\",\"params\":{\"execution_id\":\""
                    + t.id() + "\",\"from_seq\":0}}");
            byte[] idPattern = CcxClient.idPattern(t.id());
            byte[] idTail = CcxClient.idTail(t.id());
            LineVerifier v = new LineVerifier();
            long response = 0;
            long first = 0;
            long line = 0;
            long seq = 0;
            while (line == 0) {
                int op = ws.next();
                long now = System.nanoTime();
                if (op != RawWs.TEXT) {
                    throw new BenchFailure("attach: connection closed (op " + op + ")");
                }
                switch (Json.classify(ws.data, ws.off, ws.len)) {
                    case RESPONSE -> {
                        requireAttachResult(ws, t);
                        response = now;
                    }
                    case STARTED -> {
                        if (response == 0) {
                            throw new BenchFailure("attach: a notification before the attach result");
                        }
                        seq = expectSeq(ws, seq, Json.longField(ws.data, ws.off, ws.len, CcxClient.K_SEQ));
                        first = now;
                    }
                    case OUTPUT -> {
                        if (first == 0) {
                            throw new BenchFailure("attach: output before process.started");
                        }
                        seq = expectSeq(ws, seq, CcxClient.outputSeq(ws, idPattern, idTail, v::ccxData));
                        line = now;
                    }
                    case ERROR -> throw new BenchFailure("attach: " + ws.text());
                    case COMPLETED -> throw new BenchFailure("attach: the target ended: " + ws.text());
                    default -> { }
                }
            }
            detach(ws, t.id(), 2);
            return new long[] {t1 - t0, response - t1, first - t1, line - t1, first - t0, line - t0};
        } finally {
            ws.closeGracefully(2000);
        }
    }

    /** The peer: {@code execute echo hi} on a fresh connection; times as in {@link #attachSample}. */
    private static long[] echoSample(URI url) throws IOException {
        long t0 = System.nanoTime();
        RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
        long t1 = System.nanoTime();
        try {
            ws.sendText(CcxClient.executeRequest(1, "{\"argv\":[\"echo\",\"hi\"]}"));
            long response = 0;
            long first = 0;
            long line = 0;
            while (true) {
                int op = ws.next();
                long now = System.nanoTime();
                if (op != RawWs.TEXT) {
                    throw new BenchFailure("echo: connection closed (op " + op + ")");
                }
                switch (Json.classify(ws.data, ws.off, ws.len)) {
                    case RESPONSE -> response = now;
                    case STARTED -> first = now;
                    case OUTPUT -> {
                        if (!ws.text().contains("\"data\":\"hi\\n\"")) {
                            throw new BenchFailure("echo: unexpected output " + ws.text());
                        }
                        line = now;
                    }
                    case COMPLETED -> {
                        if (response == 0 || first == 0 || line == 0
                                || Json.longField(ws.data, ws.off, ws.len, CcxClient.K_EXIT_CODE) != 0) {
                            throw new BenchFailure("echo: incomplete or failed: " + ws.text());
                        }
                        return new long[] {t1 - t0, response - t1, first - t1, line - t1, first - t0, line - t0};
                    }
                    case ERROR -> throw new BenchFailure("echo: " + ws.text());
                    default -> { }
                }
            }
        } finally {
            ws.closeGracefully(2000);
        }
    }

    private static void requireAttachResult(RawWs ws, Target t) {
        String status = Json.stringField(ws.data, ws.off, ws.len, CcxClient.K_STATUS);
        long next = Json.longField(ws.data, ws.off, ws.len, K_NEXT_SEQ);
        long oldest = Json.longField(ws.data, ws.off, ws.len, K_OLDEST_SEQ);
        if (!(t.running() ? "running" : "completed").equals(status) || next != t.nextSeq() || oldest != 1) {
            throw new BenchFailure("attach: expected status " + (t.running() ? "running" : "completed")
                    + ", next_seq " + t.nextSeq() + ", oldest_seq 1; got " + ws.text());
        }
    }

    /** Per-sample times of one variant. */
    private static final class Samples {
        private static final String[] NAMES = {"connect", "response", "first", "first_line", "connect_first",
                "connect_first_line"};
        private final String key;
        private final long[][] t;
        private int n;

        Samples(String key, int count) {
            this.key = key;
            this.t = new long[NAMES.length][count];
        }

        void add(long[] sample) {
            for (int i = 0; i < NAMES.length; i++) {
                t[i][n] = sample[i];
            }
            n++;
        }

        void record(Results r) {
            for (int i = 0; i < NAMES.length; i++) {
                Stats s = Stats.of(Arrays.copyOf(t[i], n));
                System.err.println(key + "." + NAMES[i] + ": " + s);
                s.record(r, key + "." + NAMES[i]);
            }
        }
    }

    // --- 2. replay rate ---------------------------------------------------------------------------------------------

    /**
     * Replay rates, interleaved with the same output live. Small: {@code smallLines} replayed from a running kept
     * execution (log in memory) and from an ended one (log on disk), and run live; {@code smallRuns} rounds. Large:
     * {@code largeLines} replayed from an ended execution and run live; {@code largeRuns} rounds.
     */
    static void replay(URI url, String gen, long pid, long smallLines, int smallWarmup, int smallRuns,
                       long largeLines, int largeWarmup, int largeRuns, Path logs, Results r, String key)
            throws IOException {
        Target running = start(url, gen, smallLines, true);
        Target ended = start(url, gen, smallLines, false);
        describe(r, key + ".small.running", running, logs);
        describe(r, key + ".small.ended", ended, logs);
        if (diskBytes(logs, running.id()) > 0) {
            throw new BenchFailure("the in-memory target has spilled to disk: choose fewer --small-lines");
        }
        String smallLive = "{\"argv\":[\"" + gen + "\",\"" + smallLines + "\"]}";
        List<List<Lines.Run>> small = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        ProcStat.Load load = null;
        try {
            for (int i = 0; i < smallWarmup + smallRuns; i++) {
                if (i == smallWarmup) {
                    load = ProcStat.Load.start(pid);
                }
                for (int k = 0; k < 3; k++) {
                    int v = (i + k) % 3;
                    Lines.Run run = switch (v) {
                        case 0 -> replayRun(url, running);
                        case 1 -> replayRun(url, ended);
                        default -> liveRun(url, smallLive, smallLines);
                    };
                    if (i >= smallWarmup) {
                        small.get(v).add(run);
                    }
                }
            }
            load.record(r, key + ".small");
        } finally {
            cancel(url, running);
        }
        recordSmall(small.get(0), r, key + ".small.replay_running");
        recordSmall(small.get(1), r, key + ".small.replay_ended");
        recordSmall(small.get(2), r, key + ".small.live");

        Target large = start(url, gen, largeLines, false);
        describe(r, key + ".large.ended", large, logs);
        String largeLive = "{\"argv\":[\"" + gen + "\",\"" + largeLines + "\"]}";
        List<List<Lines.Run>> big = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> busy = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < largeWarmup + largeRuns; i++) {
            if (i == largeWarmup) {
                load = ProcStat.Load.start(pid);
            }
            for (int k = 0; k < 2; k++) {
                int v = (i % 2 == 0) == (k == 0) ? 0 : 1; // ABBA
                long c0 = ProcStat.cpuTicks(pid);
                ProcStat.Load runLoad = ProcStat.Load.start(pid);
                Lines.Run run = v == 0 ? replayRun(url, large) : liveRun(url, largeLive, largeLines);
                double others = runLoad.othersPct();
                long c1 = ProcStat.cpuTicks(pid);
                System.err.printf("%s.large %s run %d%s: %.0f lines/s, %.3f s, server CPU %.2f s, others on the "
                                + "machine %.0f%%%n", key, v == 0 ? "replay" : "live", i + 1,
                        i < largeWarmup ? " (warmup)" : "", run.linesPerSecond(), run.nanosToLastLine() / 1e9,
                        (c1 - c0) / ProcStat.HZ, others);
                if (i >= largeWarmup) {
                    big.get(v).add(run);
                    cpu.get(v).add((c1 - c0) / ProcStat.HZ);
                    busy.get(v).add(others);
                }
            }
        }
        load.record(r, key + ".large");
        Lines.record(big.get(0).toArray(Lines.Run[]::new), r, key + ".large.replay_ended");
        Lines.record(big.get(1).toArray(Lines.Run[]::new), r, key + ".large.live");
        List<Integer> quiet = new ArrayList<>();
        for (int j = 0; j < largeRuns; j++) {
            if (busy.get(0).get(j) < LinesPair.QUIET_PCT && busy.get(1).get(j) < LinesPair.QUIET_PCT) {
                quiet.add(j);
            }
        }
        r.put(key + ".large.quiet_rounds", quiet.size());
        LinesPair.record(big.get(0), busy.get(0), quiet, r, key + ".large.replay_ended");
        LinesPair.record(big.get(1), busy.get(1), quiet, r, key + ".large.live");
        r.put(key + ".large.replay_ended.server_cpu_s", Stats.median(toArray(cpu.get(0))));
        r.put(key + ".large.live.server_cpu_s", Stats.median(toArray(cpu.get(1))));
    }

    /** Attaches from seq 0 on a fresh connection (not timed) and receives the whole log, every line checked. */
    private static Lines.Run replayRun(URI url, Target t) throws IOException {
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS)) {
            LineVerifier v = new LineVerifier();
            byte[] idPattern = CcxClient.idPattern(t.id());
            byte[] idTail = CcxClient.idTail(t.id());
            long seq = 0;
            long wire = 0;
            long response = 0;
            long lastLine = 0;
            long cpu0 = Lines.threadCpu();
            long t0 = System.nanoTime();
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"attach\",\"params\":{\"execution_id\":\""
                    + t.id() + "\",\"from_seq\":0}}");
            while (true) {
                int op = ws.next();
                if (op != RawWs.TEXT) {
                    throw new BenchFailure("replay: connection closed (op " + op + ") after " + v.count()
                            + " lines");
                }
                switch (Json.classify(ws.data, ws.off, ws.len)) {
                    case OUTPUT -> {
                        if (response == 0) {
                            throw new BenchFailure("replay: output before the attach result");
                        }
                        seq = expectSeq(ws, seq, CcxClient.outputSeq(ws, idPattern, idTail, v::ccxData));
                        wire += ws.len;
                        if (t.running() && seq == t.lastLineSeq()) {
                            long end = System.nanoTime();
                            double cpu = (Lines.threadCpu() - cpu0) / (double) (end - t0);
                            requireLines(v, t.lines(), ws);
                            detach(ws, t.id(), 2);
                            ws.closeGracefully(2000);
                            return new Lines.Run(t.lines(), wire, end - t0, end - t0, cpu);
                        }
                        lastLine = System.nanoTime();
                    }
                    case RESPONSE -> {
                        requireAttachResult(ws, t);
                        response = System.nanoTime();
                    }
                    case STARTED -> {
                        if (response == 0) {
                            throw new BenchFailure("replay: a notification before the attach result");
                        }
                        seq = expectSeq(ws, seq, Json.longField(ws.data, ws.off, ws.len, CcxClient.K_SEQ));
                    }
                    case COMPLETED -> {
                        long end = System.nanoTime();
                        seq = expectSeq(ws, seq, Json.longField(ws.data, ws.off, ws.len, CcxClient.K_SEQ));
                        if (Json.longField(ws.data, ws.off, ws.len, CcxClient.K_STDOUT_LINES) != t.lines()) {
                            throw new BenchFailure("replay: stdout_lines differs: " + ws.text());
                        }
                        requireLines(v, t.lines(), ws);
                        double cpu = (Lines.threadCpu() - cpu0) / (double) (end - t0);
                        ws.closeGracefully(2000);
                        return new Lines.Run(t.lines(), wire, lastLine - t0, end - t0, cpu);
                    }
                    case ERROR -> throw new BenchFailure("replay: " + ws.text());
                    default -> { }
                }
            }
        }
    }

    /** The peer: the same command run live on a fresh connection (not timed), exactly as (b) runs it. */
    private static Lines.Run liveRun(URI url, String params, long lines) throws IOException {
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS)) {
            Lines.Run run = Lines.ccxRun(ws, params, lines, 1);
            ws.closeGracefully(2000);
            return run;
        }
    }

    /** Lines/s of many short runs: median and spread, and the time to the last line. */
    private static void recordSmall(List<Lines.Run> runs, Results r, String key) {
        double[] lps = new double[runs.size()];
        long[] ns = new long[runs.size()];
        for (int i = 0; i < lps.length; i++) {
            lps[i] = runs.get(i).linesPerSecond();
            ns[i] = runs.get(i).nanosToLastLine();
        }
        Arrays.sort(lps);
        r.put(key + ".lines", runs.getFirst().lines());
        r.put(key + ".runs", lps.length);
        r.put(key + ".lines_per_s", Stats.median(lps));
        r.put(key + ".lines_per_s_p10", lps[(int) Math.floor(0.1 * (lps.length - 1))]);
        r.put(key + ".lines_per_s_p90", lps[(int) Math.ceil(0.9 * (lps.length - 1))]);
        Stats s = Stats.of(ns);
        s.record(r, key + ".to_last_line");
        System.err.printf("%s: median %.0f lines/s (p10 %.0f, p90 %.0f); to the last line %s%n", key,
                Stats.median(lps), lps[(int) Math.floor(0.1 * (lps.length - 1))],
                lps[(int) Math.ceil(0.9 * (lps.length - 1))], s);
    }

    private static double[] toArray(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** The seq of the current message must be the one after {@code last} (a replay has no gap). */
    private static long expectSeq(RawWs ws, long last, long seq) {
        if (seq != last + 1) {
            throw new BenchFailure("seq went from " + last + " to " + seq + ": " + ws.text());
        }
        return seq;
    }

    private static void requireLines(LineVerifier v, long lines, RawWs ws) {
        if (v.count() != lines) {
            throw new BenchFailure("received " + v.count() + " of " + lines + " lines; last message " + ws.text());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted");
        }
    }
}
