// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Scenario (c): many connections, each running {@code sleep 1; echo done} at the same time. */
final class Concurrent {
    private static final CcxClient.OutputSink DONE = CcxClient.expect("done\\n");
    private static final int BUFFER = 16 * 1024;
    private static final int TIMEOUT_MS = 60_000;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);

    private Concurrent() {
    }

    /** Samples VmRSS and Threads of a process every 10 ms on a platform thread. */
    static final class ProcSampler implements AutoCloseable {
        private final Path status;
        private final Thread thread;
        private volatile boolean stop;
        private volatile long maxRssKb;
        private volatile long maxThreads;

        ProcSampler(long pid) {
            this.status = Path.of("/proc/" + pid + "/status");
            this.thread = Thread.ofPlatform().daemon(true).name("rss-sampler").start(this::loop);
        }

        private void loop() {
            while (!stop) {
                sample();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            long rss = field(status, "VmRSS:");
            long threads = field(status, "Threads:");
            if (rss > maxRssKb) {
                maxRssKb = rss;
            }
            if (threads > maxThreads) {
                maxThreads = threads;
            }
        }

        long rssKb() {
            return field(status, "VmRSS:");
        }

        long hwmKb() {
            return field(status, "VmHWM:");
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
            sample();
        }

        static long field(Path status, String name) {
            try {
                for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                    if (line.startsWith(name)) {
                        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }
    }

    /**
     * ccx: {@code conns} connections each execute {@code params}. With {@code preconnect} every connection is open
     * (and greeted) before the clock starts and all executes are released at once; without, the clock starts before
     * the first connect and each connection executes as soon as it is greeted.
     */
    static void ccx(URI url, int conns, String params, long pid, boolean preconnect, Results r, String key)
            throws InterruptedException {
        CountDownLatch connected = new CountDownLatch(conns);
        CountDownLatch go = new CountDownLatch(preconnect ? 1 : 0);
        Semaphore connecting = new Semaphore(preconnect ? 32 : conns);
        long[] done = new long[conns];
        long[] started = new long[conns];
        long[] output = new long[conns];
        RawWs[] sockets = new RawWs[conns];
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        java.util.Queue<Long> failedAt = new java.util.concurrent.ConcurrentLinkedQueue<>();
        String request = CcxClient.executeRequest(1, params);
        long[] t0 = new long[1];
        try (ProcSampler sampler = new ProcSampler(pid)) {
            long rssStart = sampler.rssKb();
            List<Thread> workers = new ArrayList<>(conns);
            if (!preconnect) {
                t0[0] = System.nanoTime();
            }
            for (int i = 0; i < conns; i++) {
                int n = i;
                workers.add(Thread.ofVirtual().name("conn-" + i).start(() -> {
                    boolean counted = false;
                    try {
                        connecting.acquire();
                        try {
                            sockets[n] = CcxClient.open(url, BUFFER, TIMEOUT_MS);
                        } finally {
                            connecting.release();
                            connected.countDown();
                            counted = true;
                        }
                        go.await();
                        sockets[n].sendText(request);
                        CcxClient.Outcome o = CcxClient.run(sockets[n], DONE);
                        CcxClient.requireCompleted(o, 1);
                        done[n] = o.completedNanos();
                        started[n] = o.responseNanos();
                        output[n] = o.lastOutputNanos();
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, "connection " + n + " at "
                                + (System.nanoTime() - t0[0]) / 1_000_000 + " ms: " + e);
                        failedAt.add((System.nanoTime() - t0[0]) / 1_000_000);
                    } finally {
                        if (!counted) {
                            connected.countDown();
                        }
                    }
                }));
            }
            long connectStart = System.nanoTime();
            if (!connected.await(DEADLINE_NANOS, TimeUnit.NANOSECONDS)) {
                firstError.compareAndSet(null, "connections not open after 90 s");
            }
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            long rssConnected = sampler.rssKb();
            if (preconnect) {
                t0[0] = System.nanoTime();
            }
            go.countDown();
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            for (Thread w : workers) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !w.join(java.time.Duration.ofNanos(left))) {
                    firstError.compareAndSet(null, "not all executions completed within 90 s");
                    break;
                }
            }
            long end = System.nanoTime();
            sampler.close();
            long hwm = sampler.hwmKb();
            report(r, key, conns, ok.get(), failed.get(), firstError.get(), done, t0[0], end);
            if (!failedAt.isEmpty()) {
                Stats.of(failedAt.stream().mapToLong(Long::longValue).map(v -> v * 1_000_000).toArray())
                        .record(r, key + ".failed_at");
            }
            long[] spawned = java.util.Arrays.stream(started).filter(v -> v != 0).map(v -> v - t0[0]).toArray();
            if (spawned.length > 0) {
                // When the execute results arrived (the server answers right after spawning the process), and
                // how long after its own execute result each connection got its output line.
                Stats.of(spawned).record(r, key + ".execute_result");
                long[] lineAfter = new long[conns];
                int k = 0;
                for (int i = 0; i < conns; i++) {
                    if (started[i] != 0) {
                        lineAfter[k++] = output[i] - started[i];
                    }
                }
                Stats.of(java.util.Arrays.copyOf(lineAfter, k)).record(r, key + ".output_after_result");
                k = 0;
                for (int i = 0; i < conns; i++) {
                    if (started[i] != 0) {
                        lineAfter[k++] = done[i] - output[i];
                    }
                }
                Stats.of(java.util.Arrays.copyOf(lineAfter, k)).record(r, key + ".completed_after_output");
            }
            if (preconnect) {
                r.put(key + ".connect_s", connectSeconds);
            }
            r.put(key + ".rss_start_mb", rssStart / 1024.0);
            r.put(key + ".rss_connected_mb", rssConnected / 1024.0);
            r.put(key + ".rss_peak_mb", sampler.maxRssKb / 1024.0);
            r.put(key + ".vmhwm_mb", hwm / 1024.0);
            r.put(key + ".threads_peak", sampler.maxThreads);
        }
        closeAll(sockets);
    }

    /** websocketd: {@code conns} connections at once, each running the command; connect to close. */
    static void websocketd(URI url, int conns, long pid, Results r, String key) throws InterruptedException {
        long[] done = new long[conns];
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        try (ProcSampler sampler = new ProcSampler(pid)) {
            long rssStart = sampler.rssKb();
            List<Thread> workers = new ArrayList<>(conns);
            long t0 = System.nanoTime();
            for (int i = 0; i < conns; i++) {
                int n = i;
                workers.add(Thread.ofVirtual().name("conn-" + i).start(() -> {
                    try (RawWs ws = RawWs.connect(url, BUFFER, TIMEOUT_MS)) {
                        int op = ws.next();
                        if (op != RawWs.TEXT || !ws.text().strip().equals("done")) {
                            throw new BenchFailure("expected the line done, got op " + op
                                    + (op == RawWs.TEXT ? " " + ws.text() : ""));
                        }
                        op = ws.next();
                        if (op != RawWs.CLOSE && op != RawWs.EOF) {
                            throw new BenchFailure("expected the close, got op " + op);
                        }
                        done[n] = System.nanoTime();
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, "connection " + n + ": " + e);
                    }
                }));
            }
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            for (Thread w : workers) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !w.join(java.time.Duration.ofNanos(left))) {
                    firstError.compareAndSet(null, "not all connections finished within 90 s");
                    break;
                }
            }
            long end = System.nanoTime();
            sampler.close();
            report(r, key, conns, ok.get(), failed.get(), firstError.get(), done, t0, end);
            r.put(key + ".rss_start_mb", rssStart / 1024.0);
            r.put(key + ".rss_peak_mb", sampler.maxRssKb / 1024.0);
            r.put(key + ".vmhwm_mb", sampler.hwmKb() / 1024.0);
            r.put(key + ".threads_peak", sampler.maxThreads);
        }
    }

    private static void report(Results r, String key, int conns, int ok, int failed, String firstError, long[] done,
                               long t0, long end) {
        long last = 0;
        List<Long> lat = new ArrayList<>();
        for (long d : done) {
            if (d != 0) {
                last = Math.max(last, d);
                lat.add(d - t0);
            }
        }
        r.put(key + ".conns", conns);
        r.put(key + ".ok", ok);
        r.put(key + ".failed", failed);
        if (firstError != null) {
            r.put(key + ".first_error", firstError);
        }
        r.put(key + ".wall_s", ((ok == conns ? last : end) - t0) / 1e9);
        if (!lat.isEmpty()) {
            Stats.of(lat.stream().mapToLong(Long::longValue).toArray()).record(r, key + ".latency");
        }
    }

    private static void closeAll(RawWs[] sockets) throws InterruptedException {
        List<Thread> closers = new ArrayList<>();
        for (RawWs ws : sockets) {
            if (ws != null) {
                closers.add(Thread.ofVirtual().start(() -> ws.closeGracefully(2000)));
            }
        }
        for (Thread t : closers) {
            t.join();
        }
    }
}
