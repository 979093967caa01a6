// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * (e) The soak: many connections run a mix of work against one server for a long time, and nothing may be lost,
 * repeated or left behind, nor may the server grow.
 *
 * <p>Each worker owns one connection and runs tasks one after the other: {@code echo}, 10 MB of output, a cancel,
 * a timeout, an idle timeout, and an abrupt disconnect (TCP closed without a close frame while a command runs; the
 * worker reconnects). One more connection floods and never reads, and is dropped by the server's send timeout,
 * again and again. Every execution must end with exactly one {@code process.completed} carrying the expected
 * reason (the abruptly left ones and the unread floods excepted: nobody can read theirs), within a bound; no
 * notification may arrive for an execution that has completed. At the end no process group of any execution may be
 * alive, and the server's RSS, threads and descriptors (median of the last minute under load) must be within 10% of
 * minute 2.
 */
final class Soak {
    private static final int BUFFER = 256 * 1024;
    private static final int TIMEOUT_MS = 60_000;
    /** Longest any task may take (the longest ends in ~1 s alone; heartbeats keep a silent socket from timing out). */
    private static final long TASK_BOUND_NS = Duration.ofSeconds(120).toNanos();
    private static final byte[] K_METHOD = Json.key("method");
    private static final byte[] K_REASON = Json.key("reason");
    private static final byte[] K_PGID = Json.key("pgid");

    private enum Task {
        ECHO(40), BIG(5), CANCEL(12), TIMEOUT(12), IDLE(12), DISCONNECT(5);

        final int weight;

        Task(int weight) {
            this.weight = weight;
        }

        static Task pick() {
            int total = 0;
            for (Task t : values()) {
                total += t.weight;
            }
            int r = ThreadLocalRandom.current().nextInt(total);
            for (Task t : values()) {
                r -= t.weight;
                if (r < 0) {
                    return t;
                }
            }
            return ECHO;
        }
    }

    private final URI url;
    private final long serverPid;
    private final long deadline;
    private final Map<Task, AtomicLong> done = new ConcurrentHashMap<>();
    private final AtomicLong floods = new AtomicLong();
    private final Set<Long> groups = ConcurrentHashMap.newKeySet();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    private final List<String> leftovers = new ArrayList<>();
    private final AtomicBoolean dumped = new AtomicBoolean();
    private final Path dumpTo;

    private Soak(URI url, long serverPid, Duration duration, Path dumpTo) {
        this.dumpTo = dumpTo;
        this.url = url;
        this.serverPid = serverPid;
        this.deadline = System.nanoTime() + duration.toNanos();
        for (Task t : Task.values()) {
            done.put(t, new AtomicLong());
        }
    }

    static void run(URI url, long serverPid, int conns, Duration duration, Results r, String key, Path dumpTo)
            throws Exception {
        Soak soak = new Soak(url, serverPid, duration, dumpTo);
        long[] before = soak.serverNow();
        long t0 = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < conns - 1; i++) {
            workers.add(Thread.ofPlatform().name("soak-" + i).start(soak::work));
        }
        workers.add(Thread.ofPlatform().name("soak-unread").start(soak::floodUnread));
        Thread sampler = Thread.ofPlatform().daemon().name("soak-sampler").start(() -> soak.sample(t0));
        for (Thread w : workers) {
            w.join();
        }
        sampler.interrupt();
        sampler.join();
        long left = soak.leftoverGroups();
        long[] rest = soak.atRest();
        soak.report(r, key, left, conns, (System.nanoTime() - t0) / 1e9, duration.toSeconds(), before, rest);
        if (!soak.problems.isEmpty() || left > 0) {
            throw new BenchFailure("soak: " + soak.problems.size() + " problem(s), " + left + " group(s) left; first: "
                    + (soak.problems.isEmpty() ? "-" : soak.problems.getFirst()));
        }
    }

    private boolean running() {
        return System.nanoTime() < deadline;
    }

    private void work() {
        RawWs ws = null;
        long ids = 0;
        while (running()) {
            try {
                if (ws == null) {
                    ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
                }
                Task task = Task.pick();
                // An explicit deadline where the task must end on its own: a predicted one could cut it short under
                // this much load, and that is the timing feature working, not a loss.
                String params = switch (task) {
                    case ECHO -> "{\"argv\":[\"echo\",\"hi\"],\"timeout\":600}";
                    case BIG -> "{\"command\":\"head -c 10000000 /dev/zero | tr '\\\\0' x | fold -w 99\","
                            + "\"timeout\":600}";
                    case CANCEL, DISCONNECT -> "{\"argv\":[\"sleep\",\"30\"],\"timeout\":600}";
                    case TIMEOUT -> "{\"argv\":[\"sleep\",\"30\"],\"timeout\":0.3}";
                    case IDLE -> "{\"command\":\"echo a; sleep 30\",\"idle_timeout\":0.3}";
                };
                long bound = System.nanoTime() + TASK_BOUND_NS;
                ws.sendText(CcxClient.executeRequest(++ids, params));
                String id = started(ws, bound);
                if (task == Task.DISCONNECT) {
                    ws.close(); // TCP gone, no close frame: the server ends the execution with reason disconnect
                    ws = null;
                    done.get(task).incrementAndGet();
                    continue;
                }
                if (task == Task.CANCEL) {
                    ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + (++ids) + ",\"method\":\"control\",\"params\":"
                            + "{\"type\":\"CANCEL\",\"execution_id\":\"" + id + "\"}}");
                }
                String reason = completed(ws, id, task, bound);
                String expected = switch (task) {
                    case ECHO, BIG -> "exit";
                    case CANCEL -> "canceled";
                    case TIMEOUT -> "timeout";
                    case IDLE -> "idle_timeout";
                    case DISCONNECT -> throw new IllegalStateException();
                };
                if (!expected.equals(reason)) {
                    problems.add(task + " " + id + " ended with reason " + reason + ", expected " + expected);
                }
                done.get(task).incrementAndGet();
            } catch (IOException | RuntimeException e) {
                problems.add(Thread.currentThread().getName() + ": " + e);
                if (ws != null) {
                    ws.close();
                    ws = null;
                }
            }
        }
        if (ws != null) {
            ws.closeGracefully(5_000);
        }
    }

    /** Reads to the execute result and {@code process.started}; returns the execution id. */
    private String started(RawWs ws, long bound) throws IOException {
        String id = null;
        while (true) {
            next(ws, bound, id);
            switch (Json.classify(ws.data, ws.off, ws.len)) {
                case RESPONSE -> {
                    id = Json.stringField(ws.data, ws.off, ws.len, CcxClient.K_EXECUTION_ID);
                    groups.add(Json.longField(ws.data, ws.off, ws.len, K_PGID));
                }
                case STARTED -> {
                    String of = Json.stringField(ws.data, ws.off, ws.len, CcxClient.K_EXECUTION_ID);
                    if (id == null || !id.equals(of)) {
                        throw new BenchFailure("process.started before the execute result, or for " + of);
                    }
                    return id;
                }
                case ERROR -> throw new BenchFailure("execute refused: " + ws.text());
                default -> { }
            }
        }
    }

    /**
     * Reads everything of execution {@code id} up to its {@code process.completed}, counting output lines for
     * {@link Task#BIG}; returns the reason. Anything about another execution is a notification after its
     * completion: a duplicate.
     */
    private String completed(RawWs ws, String id, Task task, long bound) throws IOException {
        long lines = 0;
        while (true) {
            next(ws, bound, id);
            String method = Json.stringField(ws.data, ws.off, ws.len, K_METHOD);
            if (method == null || method.equals("ping")) {
                continue; // a response (the cancel's) or a heartbeat
            }
            String of = Json.stringField(ws.data, ws.off, ws.len, CcxClient.K_EXECUTION_ID);
            if (!id.equals(of)) {
                problems.add(method + " for " + of + " after its completion (duplicate or late)");
                continue;
            }
            if (method.equals("process.output")) {
                lines++;
            } else if (method.equals("process.completed")) {
                long counted = Json.longField(ws.data, ws.off, ws.len, CcxClient.K_STDOUT_LINES);
                if (task == Task.BIG && (lines != 101_011 || counted != 101_011)) {
                    problems.add("BIG " + id + ": " + lines + " output messages, stdout_lines " + counted
                            + ", expected 101011");
                }
                return Json.stringField(ws.data, ws.off, ws.len, K_REASON);
            }
        }
    }

    private static void next(RawWs ws) throws IOException {
        int op = ws.next();
        if (op == RawWs.CLOSE || op == RawWs.EOF) {
            throw new BenchFailure("connection closed by the server (code " + ws.closeCode + ")");
        }
    }

    /** {@link #next(RawWs)}, failing the task once it has taken longer than its bound (the server's threads saved). */
    private void next(RawWs ws, long bound, String id) throws IOException {
        if (System.nanoTime() - bound > 0) {
            dumpServerThreads();
            throw new BenchFailure("execution " + id + " not completed within " + TASK_BOUND_NS / 1_000_000_000L
                    + " s");
        }
        next(ws);
    }

    /** The first stuck task saves the server's thread dump next to the results: what it waits on is the finding. */
    private void dumpServerThreads() {
        if (dumpTo == null || !dumped.compareAndSet(false, true)) {
            return;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(serverPid), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(dumpTo.toFile()).start();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        } catch (IOException e) {
            problems.add("thread dump of the server failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connection that floods and never reads; the server drops it after its send timeout. Again and again. */
    private void floodUnread() {
        while (running()) {
            try (RawWs ws = CcxClient.open(url, 4096, TIMEOUT_MS)) {
                long bound = System.nanoTime() + TASK_BOUND_NS;
                ws.sendText(CcxClient.executeRequest(1, "{\"argv\":[\"yes\",\"unread\"]}"));
                next(ws, bound, "of the unread flood");
                while (Json.classify(ws.data, ws.off, ws.len) != Json.Kind.RESPONSE) {
                    next(ws, bound, "of the unread flood");
                }
                groups.add(Json.longField(ws.data, ws.off, ws.len, K_PGID));
                floods.incrementAndGet();
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (running() && System.nanoTime() < until) {
                    Thread.sleep(100); // reading nothing is the point
                }
            } catch (IOException | RuntimeException e) {
                problems.add("unread flood: " + e);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Every 5 s: elapsed seconds, server RSS (KiB), threads, descriptors. */
    private void sample(long t0) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                long[] now = serverNow();
                samples.add(new long[] {(System.nanoTime() - t0) / 1_000_000_000L, now[0], now[1], now[2]});
                Thread.sleep(5_000);
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    private static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).strip().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /**
     * Groups of any execution still alive, waiting up to 15 s for the last ones to be ended, plus any live process
     * below the server. Over 20 minutes the kernel reuses pids many times (pid_max is often 32,768), so a live group
     * counts only if it is an execution's: its own session (every execution leads one), and started before the load
     * ended (a process of ours cannot start later). The kernel never reuses a pid while a group of that number lives.
     */
    private long leftoverGroups() throws InterruptedException, IOException {
        long endTicks = uptimeTicks();
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> alive;
        do {
            alive = groups.stream().map(g -> groupAlive(g, endTicks)).filter(a -> a != null).toList();
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < until);
        List<String> children = ProcessHandle.of(serverPid).map(p -> p.descendants()
                .map(d -> d.pid() + " " + d.info().commandLine().orElse("?")).toList()).orElse(List.of());
        alive.forEach(a -> leftovers.add("alive: " + a));
        children.forEach(c -> leftovers.add("below the server: " + c));
        return alive.size() + children.size();
    }

    /**
     * RSS, threads and descriptors of the server at rest after the load: every connection closed, every process
     * gone, and the descriptor count the same for a second (at most 15 s). Under load the counts swing with what is
     * in flight; at rest a leak has nowhere to hide.
     */
    private long[] atRest() throws IOException, InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long[] last = serverNow();
        while (System.nanoTime() < until) {
            Thread.sleep(1000);
            long[] now = serverNow();
            boolean noChildren = ProcessHandle.of(serverPid).map(p -> p.children().findAny().isEmpty()).orElse(true);
            if (noChildren && now[2] == last[2]) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** The server's RSS (KiB), threads and descriptors now. */
    private long[] serverNow() throws IOException {
        String st = Files.readString(Path.of("/proc", Long.toString(serverPid), "status"));
        long fdCount;
        try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(serverPid), "fd"))) {
            fdCount = list.count();
        }
        return new long[] {field(st, "VmRSS:"), field(st, "Threads:"), fdCount};
    }

    /** Clock ticks since boot (USER_HZ, 100 on Linux), the unit of a process's start time in /proc. */
    private static long uptimeTicks() throws IOException {
        String up = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        return (long) (Double.parseDouble(up) * 100);
    }

    /**
     * The {@code /proc/PID/stat} line of a live process (not a zombie) of session and group {@code pgid} that
     * started by {@code endTicks}, or {@code null} when there is none.
     */
    private static String groupAlive(long pgid, long endTicks) {
        String wanted = Long.toString(pgid);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).map(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // after "(comm) ": state ppid pgrp session ... starttime is the 20th
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    boolean ours = f[2].equals(wanted) && f[3].equals(wanted) && !f[0].equals("Z")
                            && Long.parseLong(f[19]) <= endTicks;
                    return ours ? stat.strip() : null;
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }).filter(a -> a != null).findFirst().orElse(null);
        } catch (IOException e) {
            return "group " + pgid + ": /proc unreadable (" + e + ")";
        }
    }

    private void report(Results r, String key, long left, int conns, double seconds, long loadSeconds,
                        long[] restBefore, long[] restAfter) {
        long total = 0;
        for (Task t : Task.values()) {
            long n = done.get(t).get();
            total += n;
            r.put(key + ".tasks." + t.name().toLowerCase(Locale.ROOT), n);
        }
        r.put(key + ".conns", conns);
        r.put(key + ".seconds", seconds);
        r.put(key + ".executions", total + floods.get());
        r.put(key + ".unread_floods", floods.get());
        r.put(key + ".problems", problems.size());
        if (!problems.isEmpty()) {
            r.put(key + ".first_problem", problems.getFirst());
        }
        r.put(key + ".leftover_groups", left);
        if (!leftovers.isEmpty()) {
            r.put(key + ".first_leftover", leftovers.getFirst());
        }
        long[] early = median(120, 150);
        long[] late = median(loadSeconds - 60, loadSeconds); // the last minute under load, not the wind-down
        String[] names = {"rss_kb", "threads", "fds"};
        for (int i = 0; i < names.length; i++) {
            r.put(key + ".rest_before." + names[i], restBefore[i]);
            r.put(key + ".rest_after." + names[i], restAfter[i]);
            r.put(key + ".minute2." + names[i], early[i]);
            r.put(key + ".end." + names[i], late[i]);
            r.put(key + ".change_pct." + names[i], early[i] <= 0 ? Double.NaN
                    : String.format(Locale.ROOT, "%.1f", 100.0 * (late[i] - early[i]) / early[i]));
        }
        List<String> series = new ArrayList<>();
        synchronized (samples) {
            for (long[] s : samples) {
                series.add(s[0] + ":" + s[1] + "/" + s[2] + "/" + s[3]);
            }
        }
        r.put(key + ".samples_s_rss_threads_fds", String.join(" ", series));
    }

    /** Medians of RSS, threads and descriptors over samples taken between {@code from} and {@code to} seconds. */
    private long[] median(double from, double to) {
        List<long[]> in = new ArrayList<>();
        synchronized (samples) {
            for (long[] s : samples) {
                if (s[0] >= from && s[0] <= to) {
                    in.add(s);
                }
            }
        }
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            int col = i + 1;
            long[] v = in.stream().mapToLong(s -> s[col]).sorted().toArray();
            out[i] = v.length == 0 ? -1 : v[v.length / 2];
        }
        return out;
    }
}
