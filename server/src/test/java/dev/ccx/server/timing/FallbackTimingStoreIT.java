// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ccx.protocol.EndReason;
import dev.ccx.server.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The fallback store against a private {@code redis-server} (a child process on a free port) that the tests start,
 * kill, stop and put to sleep. Every store call made while Redis misbehaves must return within the Redis bound plus
 * a little slack, answered from the embedded store; what was recorded meanwhile must reach Redis once it is back.
 */
class FallbackTimingStoreIT {
    private static final Duration BOUND = Duration.ofMillis(250);
    /** Bound plus scheduling slack: what a caller may wait at most. */
    private static final long MAX_CALL_MILLIS = 500;
    private static final Duration RECOVERY = Duration.ofSeconds(15);
    private static final long T0 = 1_750_000_000_000L;
    private static final TaskKey KEY = new TaskKey("cmd", "make");

    @TempDir
    Path dir;

    private final List<String> timings = new ArrayList<>();
    private String prefix;
    private RedisServer server;
    private FallbackTimingStore store;
    private ListAppender<ILoggingEvent> events;
    private Logger log;
    private int seq;

    @BeforeEach
    void setUp() throws IOException {
        prefix = "ccx-test-" + UUID.randomUUID() + ":times";
        server = new RedisServer(RedisServer.freePort());
        log = (Logger) LoggerFactory.getLogger(FallbackTimingStore.class);
        events = new ListAppender<>();
        events.start();
        log.addAppender(events);
    }

    @AfterEach
    void tearDown(TestInfo test) {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            server.close();
            log.detachAppender(events);
            System.out.println("TIMINGS " + test.getDisplayName() + ": " + String.join(", ", timings));
        }
        assertThat(server.alive()).isFalse();
    }

    @Test
    void redisDownAtStartThenUp() throws Exception {
        store = open();
        assertThat(store.degraded()).isTrue();
        assertThat(store.name()).isEqualTo("embedded");
        List<RunRecord> outage = recordSome("down-at-start", 5);
        assertThat(timed("down-at-start history", () -> store.history(KEY, 10))).containsExactlyElementsOf(
                outage.reversed());
        assertThat(timed("down-at-start keys", () -> store.keys())).containsExactly(KEY);
        assertThat(store.pending()).isEqualTo(5);

        server.start();
        awaitRecovery();
        assertThat(store.name()).isEqualTo("redis");
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(5);
            assertThat(raw.totalRuns()).isEqualTo("5");
        }
        assertThat(store.history(KEY, 10)).containsExactlyElementsOf(outage.reversed());
        store.record(run());
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(6);
        }
        assertThat(warnings()).containsExactly("Redis timing store not reachable at start");
    }

    @Test
    void redisFrozenAtStart() throws Exception {
        server.start();
        server.signal("STOP");
        // The TCP connect succeeds (the kernel accepts), the handshake hangs: construction is still bounded.
        store = timed("frozen-at-start open", this::open);
        assertThat(store.degraded()).isTrue();
        List<RunRecord> outage = recordSome("frozen-at-start", 3);
        assertThat(timed("frozen-at-start history", () -> store.history(KEY, 10))).containsExactlyElementsOf(
                outage.reversed());

        server.signal("CONT");
        awaitRecovery();
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(3);
        }
        assertThat(warnings()).containsExactly("Redis timing store not reachable at start");
    }

    @Test
    void redisKilledMidRun() throws Exception {
        server.start();
        store = open();
        assertThat(store.degraded()).isFalse();
        List<RunRecord> before = recordSome("healthy", 3);

        server.kill();
        List<RunRecord> outage = recordSome("after-kill", 5);
        assertThat(store.degraded()).isTrue();
        List<RunRecord> all = new ArrayList<>(before);
        all.addAll(outage);
        assertThat(timed("after-kill history", () -> store.history(KEY, 100))).containsExactlyElementsOf(
                all.reversed());
        assertThat(timed("after-kill keys", () -> store.keys("cmd"))).containsExactly(KEY);
        assertThat(warnings()).containsExactly("Redis timing store failed");

        // A new, empty server on the same port: the outage's runs are written to it.
        server.start();
        awaitRecovery();
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(5);
        }
        assertThat(warnings()).containsExactly("Redis timing store failed");
    }

    @Test
    void redisStoppedWithSigstop() throws Exception {
        server.start();
        store = open();
        recordSome("healthy", 2);

        server.signal("STOP");
        List<RunRecord> outage = recordSome("sigstop", 4);
        assertThat(store.degraded()).isTrue();
        assertThat(timed("sigstop history", () -> store.history(KEY, 100))).hasSize(6);
        assertThat(timed("sigstop keys", () -> store.keys())).containsExactly(KEY);

        server.signal("CONT");
        awaitRecovery();
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(6);
            // The write that timed out when Redis froze may have landed later: it is not counted twice.
            assertThat(raw.totalRuns()).isEqualTo("6");
        }
        assertThat(store.history(KEY, 100)).containsAll(outage);
        assertThat(warnings()).containsExactly("Redis timing store failed");
    }

    @Test
    void redisBusyWithDebugSleep() throws Exception {
        server.start();
        store = open();
        recordSome("healthy", 2);

        try (Socket sleeper = new Socket("127.0.0.1", server.port)) {
            sleeper.setSoTimeout(5000);
            sleeper.getOutputStream().write("DEBUG SLEEP 2\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1)).until(server::unresponsive);
            recordSome("debug-sleep", 3);
            assertThat(store.degraded()).isTrue();
            assertThat(timed("debug-sleep history", () -> store.history(KEY, 100))).hasSize(5);
            assertThat(timed("debug-sleep keys", () -> store.keys())).containsExactly(KEY);
            assertThat(new BufferedReader(new InputStreamReader(sleeper.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine()).isEqualTo("+OK");
        }
        awaitRecovery();
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(5);
            assertThat(raw.totalRuns()).isEqualTo("5");
        }
        assertThat(warnings()).containsExactly("Redis timing store failed");
    }

    @Test
    void pendingRunsSurviveARestartDuringTheOutage() throws Exception {
        store = open();
        recordSome("down", 3);
        store.close();
        store = null;

        server.start();
        store = open();
        assertThat(store.degraded()).isFalse();
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(20)).until(() -> store.pending() == 0);
        try (Raw raw = new Raw(server.port)) {
            assertThat(raw.members()).isEqualTo(3);
        }
        assertThat(store.history(KEY, 10)).hasSize(3);
    }

    private FallbackTimingStore open() {
        long start = System.nanoTime();
        FallbackTimingStore s = new FallbackTimingStore(
                RedisTimingStore.fromUrl("redis://127.0.0.1:" + server.port, prefix, BOUND),
                new EmbeddedTimingStore(dir), dir);
        timings.add("open " + millisSince(start) + " ms");
        return s;
    }

    private RunRecord run() {
        seq++;
        return new RunRecord(KEY, T0 + seq * 1000L, seq, 0, EndReason.EXIT, null, 0.5, 2);
    }

    private List<RunRecord> recordSome(String phase, int n) {
        List<RunRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RunRecord r = run();
            timed(phase + " record", () -> {
                store.record(r);
                return null;
            });
            out.add(r);
        }
        return out;
    }

    private <T> T timed(String what, Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        long ms = millisSince(start);
        timings.add(what + " " + ms + " ms");
        assertThat(ms).as("%s took %d ms", what, ms).isLessThan(MAX_CALL_MILLIS);
        return result;
    }

    private void awaitRecovery() {
        long start = System.nanoTime();
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(20))
                .until(() -> !store.degraded() && store.pending() == 0);
        timings.add("recovered after " + millisSince(start) + " ms");
    }

    /** The start of each WARN message of the fallback store, in order. */
    private List<String> warnings() {
        return events.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(e -> e.getFormattedMessage().replaceAll(" \\(.*|;.*", ""))
                .toList();
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }


    /** A raw Lettuce connection to the private server, to look at what the store wrote. */
    private final class Raw implements AutoCloseable {
        final RedisClient client;
        final StatefulRedisConnection<String, String> connection;

        Raw(int port) {
            client = RedisClient.create("redis://127.0.0.1:" + port);
            connection = client.connect();
        }

        long members() {
            return connection.sync().zcard(prefix + ":cmd:make:history");
        }

        String totalRuns() {
            return connection.sync().hget(prefix + ":cmd:make:stats", "total_runs");
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
