// SPDX-License-Identifier: Apache-2.0
import dev.ccx.protocol.EndReason;
import dev.ccx.server.timing.EmbeddedTimingStore;
import dev.ccx.server.timing.Estimator;
import dev.ccx.server.timing.FallbackTimingStore;
import dev.ccx.server.timing.LoadProbe;
import dev.ccx.server.timing.RedisTimingStore;
import dev.ccx.server.timing.RunRecord;
import dev.ccx.server.timing.TaskClassifier;
import dev.ccx.server.timing.TaskKey;
import dev.ccx.server.timing.TimingService;
import dev.ccx.server.timing.TimingStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * What timing adds to one execute: classify + estimate (on the request path) and record (after completion, off
 * it), against the embedded store, Redis, and Redis frozen with SIGSTOP behind the fallback store.
 * Run with bench/timing/run.
 */
public class TimingBench {
    static final int KEYS = 20;
    static final int RUNS_PER_KEY = 30;
    static final int N = 2_000;
    static final String[] COMMANDS = {"sleep 5", "git status", "npm run build", "python3 tests/run.py",
            "claude -p \"Write a function that parses CSV\" --output-format stream-json --verbose"};

    public static void main(String[] args) throws Exception {
        String redisUrl = args.length > 0 ? args[0] : "redis://127.0.0.1:6379";
        System.out.printf("%-34s %12s %12s %12s%n", "store / operation", "p50 µs", "p99 µs", "max µs");
        try (TimingStore embedded = new EmbeddedTimingStore(Files.createTempDirectory("ccx-tb"))) {
            measure("embedded", embedded);
        }
        String prefix = "ccx-bench-" + UUID.randomUUID() + ":times";
        try (TimingStore redis = RedisTimingStore.fromUrl(redisUrl, prefix, Duration.ofMillis(250))) {
            measure("redis (up)", redis);
        } finally {
            cleanup(redisUrl, prefix);
        }
        frozenRedis();
    }

    static void measure(String label, TimingStore store) {
        TimingService timing = new TimingService(store, new TaskClassifier(), new Estimator(), new LoadProbe());
        populate(store);
        long[] estimate = new long[N];
        long[] record = new long[N];
        for (int i = 0; i < N; i++) {
            String cmd = COMMANDS[i % COMMANDS.length];
            long t0 = System.nanoTime();
            TaskKey key = timing.classify(cmd, null);
            timing.estimate(key);
            long t1 = System.nanoTime();
            store.record(new RunRecord(key, System.currentTimeMillis(), 1.0 + i % 7, 0, EndReason.EXIT, null, 0.5,
                    2));
            long t2 = System.nanoTime();
            estimate[i] = t1 - t0;
            record[i] = t2 - t1;
        }
        print(label + ": classify+estimate", estimate, N / 5);
        print(label + ": record", record, N / 5);
    }

    static void frozenRedis() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String url = "redis://127.0.0.1:" + port;
            for (int i = 0; i < 100 && !ping(url); i++) {
                Thread.sleep(50);
            }
            Path dir = Files.createTempDirectory("ccx-tb");
            try (FallbackTimingStore store = new FallbackTimingStore(
                    RedisTimingStore.fromUrl(url, "bench:times", Duration.ofMillis(250)), new EmbeddedTimingStore(dir),
                    dir)) {
                TimingService timing = new TimingService(store, new TaskClassifier(), new Estimator(),
                        new LoadProbe());
                populate(store);
                new ProcessBuilder("kill", "-STOP", Long.toString(redis.pid())).start().waitFor();
                int n = 500;
                long[] estimate = new long[n];
                long[] record = new long[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    TaskKey key = timing.classify(COMMANDS[i % COMMANDS.length], null);
                    timing.estimate(key);
                    long t1 = System.nanoTime();
                    store.record(new RunRecord(key, System.currentTimeMillis(), 2.0, 0, EndReason.EXIT, null, 0.5, 2));
                    estimate[i] = t1 - t0;
                    record[i] = System.nanoTime() - t1;
                }
                print("redis frozen: classify+estimate", estimate, 0);
                print("redis frozen: record", record, 0);
                System.out.println("  store while frozen: " + store.name() + ", degraded=" + store.degraded());
                new ProcessBuilder("kill", "-CONT", Long.toString(redis.pid())).start().waitFor();
            }
        } finally {
            redis.destroyForcibly();
            redis.waitFor();
        }
    }

    static void populate(TimingStore store) {
        TaskClassifier c = new TaskClassifier();
        for (int k = 0; k < KEYS; k++) {
            TaskKey key = k < COMMANDS.length ? c.classify(COMMANDS[k], null) : new TaskKey("cmd", "tool" + k);
            for (int r = 0; r < RUNS_PER_KEY; r++) {
                store.record(new RunRecord(key, System.currentTimeMillis() - r * 1000L, 1.0 + r % 5, 0,
                        EndReason.EXIT, null, 0.5, 2));
            }
        }
    }

    static void print(String label, long[] nanos, int warmup) {
        long[] m = Arrays.copyOfRange(nanos, warmup, nanos.length);
        Arrays.sort(m);
        System.out.printf("%-34s %12.1f %12.1f %12.1f%n", label, m[m.length / 2] / 1e3,
                m[(int) Math.ceil(m.length * 0.99) - 1] / 1e3, m[m.length - 1] / 1e3);
    }

    static boolean ping(String url) {
        RedisClient client = RedisClient.create(url);
        try (var conn = client.connect()) {
            return "PONG".equals(conn.sync().ping());
        } catch (RuntimeException e) {
            return false;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    static void cleanup(String url, String prefix) {
        RedisClient client = RedisClient.create(url);
        try (var conn = client.connect()) {
            List<String> keys = ScanIterator.scan(conn.sync(), ScanArgs.Builder.matches(prefix + ":*")).stream()
                    .toList();
            if (!keys.isEmpty()) {
                conn.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
