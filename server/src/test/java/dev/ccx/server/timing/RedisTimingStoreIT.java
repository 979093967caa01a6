// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.EndReason;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Against the Redis at 127.0.0.1:6379 (running here and in CI). Every key lives under a prefix unique to this run,
 * deleted afterwards with SCAN + DEL; nothing else on that server is touched.
 */
class RedisTimingStoreIT {
    private static final String URL = "redis://127.0.0.1:6379";
    private static final long T0 = 1_750_000_000_000L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> rawConnection;
    private static RedisCommands<String, String> raw;

    private String prefix;
    private RedisTimingStore store;

    @BeforeAll
    static void connectRaw() {
        rawClient = RedisClient.create(URL);
        rawConnection = rawClient.connect();
        raw = rawConnection.sync();
    }

    @AfterAll
    static void closeRaw() {
        rawConnection.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }

    @BeforeEach
    void open() {
        prefix = "ccx-test-" + UUID.randomUUID() + ":times";
        store = RedisTimingStore.fromUrl(URL, prefix, RedisTimingStore.DEFAULT_TIMEOUT);
    }

    @AfterEach
    void cleanUp() {
        store.close();
        List<String> mine = scan(RedisTimingStore.globEscape(prefix) + ":*");
        if (!mine.isEmpty()) {
            raw.del(mine.toArray(String[]::new));
        }
        assertThat(scan(RedisTimingStore.globEscape(prefix) + ":*")).isEmpty();
    }

    @Test
    void writesTheOriginalsLayout() {
        TaskKey key = new TaskKey("cmd", "git_status");
        RunRecord ok = new RunRecord(key, T0 + 250, 1.5, 0, EndReason.EXIT, 10.0, 0.75, 4);
        RunRecord failed = new RunRecord(key, T0 + 1250, 0.5, 2, EndReason.EXIT, null, 0.5, 4);
        RunRecord timedOut = new RunRecord(key, T0 + 2250, 30.0, -9, EndReason.TIMEOUT, 30.0, 1.0, 4);
        store.record(ok);
        store.record(failed);
        store.record(timedOut);

        String history = prefix + ":cmd:git_status:history";
        String stats = prefix + ":cmd:git_status:stats";
        assertThat(raw.type(history)).isEqualTo("zset");
        assertThat(raw.type(stats)).isEqualTo("hash");

        List<ScoredValue<String>> members = raw.zrangeWithScores(history, 0, -1);
        assertThat(members).hasSize(3);
        assertThat(members).extracting(ScoredValue::getScore)
                .containsExactly((double) T0 / 1000, (double) T0 / 1000 + 1, (double) T0 / 1000 + 2);

        JsonNode first = JSON.readTree(members.getFirst().getValue());
        List<String> fields = new ArrayList<>();
        first.propertyNames().forEach(fields::add);
        assertThat(fields).containsExactly("timestamp", "expected", "actual", "success", "variance", "complexity",
                "question_type", "cpu_load", "gpu_memory_gb", "exit_code", "reason", "timeout", "cores",
                "timestamp_ms");
        assertThat(first.get("timestamp").isIntegralNumber()).isTrue();
        assertThat(first.get("timestamp").longValue()).isEqualTo(T0 / 1000);
        assertThat(first.get("expected").doubleValue()).isEqualTo(10.0);
        assertThat(first.get("actual").doubleValue()).isEqualTo(1.5);
        assertThat(first.get("success").booleanValue()).isTrue();
        assertThat(first.get("variance").doubleValue()).isEqualTo(-0.85);
        assertThat(first.get("complexity").stringValue()).isEmpty();
        assertThat(first.get("question_type").stringValue()).isEmpty();
        assertThat(first.get("cpu_load").doubleValue()).isEqualTo(0.75);
        assertThat(first.get("gpu_memory_gb").doubleValue()).isEqualTo(0.0);
        assertThat(first.get("exit_code").intValue()).isZero();
        assertThat(first.get("reason").stringValue()).isEqualTo("exit");
        assertThat(first.get("timeout").doubleValue()).isEqualTo(10.0);
        assertThat(first.get("cores").intValue()).isEqualTo(4);
        assertThat(first.get("timestamp_ms").longValue()).isEqualTo(T0 + 250);

        JsonNode second = JSON.readTree(members.get(1).getValue());
        assertThat(second.get("expected").doubleValue()).as("expected = actual without a timeout").isEqualTo(0.5);
        assertThat(second.get("timeout").isNull()).isTrue();
        assertThat(second.get("success").booleanValue()).isFalse();
        JsonNode third = JSON.readTree(members.get(2).getValue());
        assertThat(third.get("reason").stringValue()).isEqualTo("timeout");
        assertThat(third.get("success").booleanValue()).isFalse();

        assertThat(raw.hgetall(stats)).isEqualTo(Map.of("total_runs", "3", "successes", "1", "failures", "2"));
        assertThat(raw.ttl(history)).isBetween(RedisTimingStore.TTL_SECONDS - 10, RedisTimingStore.TTL_SECONDS);
        assertThat(raw.ttl(stats)).isBetween(RedisTimingStore.TTL_SECONDS - 10, RedisTimingStore.TTL_SECONDS);

        assertThat(store.history(key, 10)).containsExactly(timedOut, failed, ok);
        assertThat(store.name()).isEqualTo("redis");
    }

    @Test
    void membersOfRunsEndingInTheSameSecondStayApart() {
        TaskKey key = new TaskKey("cmd", "echo");
        for (int i = 0; i < 5; i++) {
            store.record(new RunRecord(key, T0 + i, 0.01, 0, EndReason.EXIT, null, 0.0, 2));
        }
        assertThat(raw.zcard(prefix + ":cmd:echo:history")).isEqualTo(5);
        assertThat(store.history(key, 10)).extracting(RunRecord::timestampMillis)
                .containsExactly(T0 + 4, T0 + 3, T0 + 2, T0 + 1, T0);
    }

    @Test
    void trimsToTheNewestHundred() {
        TaskKey key = new TaskKey("cmd", "make");
        for (int i = 0; i < 105; i++) {
            store.record(new RunRecord(key, T0 + i * 1000L, i, 0, EndReason.EXIT, null, 0.0, 2));
        }
        String history = prefix + ":cmd:make:history";
        assertThat(raw.zcard(history)).isEqualTo(100);
        assertThat(raw.zrangeWithScores(history, 0, 0).getFirst().getScore()).isEqualTo(T0 / 1000.0 + 5);
        assertThat(raw.hget(prefix + ":cmd:make:stats", "total_runs")).isEqualTo("105");
        List<RunRecord> runs = store.history(key, 1000);
        assertThat(runs).hasSize(100);
        assertThat(runs.getFirst().timestampMillis()).isEqualTo(T0 + 104_000);
        assertThat(runs.getLast().timestampMillis()).isEqualTo(T0 + 5_000);
        assertThat(store.history(key, 3)).hasSize(3);
        assertThat(store.history(key, 0)).isEmpty();
    }

    @Test
    void theTtlSlidesOnEveryWrite() {
        TaskKey key = new TaskKey("cmd", "ttl");
        store.record(new RunRecord(key, T0, 1, 0, EndReason.EXIT, null, 0.0, 2));
        raw.expire(prefix + ":cmd:ttl:history", 100);
        raw.expire(prefix + ":cmd:ttl:stats", 100);
        store.record(new RunRecord(key, T0 + 1000, 1, 0, EndReason.EXIT, null, 0.0, 2));
        assertThat(raw.ttl(prefix + ":cmd:ttl:history")).isGreaterThan(RedisTimingStore.TTL_SECONDS - 10);
        assertThat(raw.ttl(prefix + ":cmd:ttl:stats")).isGreaterThan(RedisTimingStore.TTL_SECONDS - 10);
    }

    @Test
    void readsRecordsWrittenByThePythonOriginal() {
        String history = prefix + ":claude:haiku_5:history";
        // json.dumps style: spaces after separators, no ccx fields.
        raw.zadd(history, 1_700_000_000, "{\"timestamp\": 1700000000, \"expected\": 30.0, \"actual\": 12.5, "
                + "\"success\": true, \"variance\": -0.5833, \"complexity\": \"medium\", \"question_type\": \"code\", "
                + "\"cpu_load\": 0.42, \"gpu_memory_gb\": 0.0}");
        raw.zadd(history, 1_700_000_100, "{\"timestamp\": 1700000100, \"expected\": 30.0, \"actual\": 31.0, "
                + "\"success\": false, \"variance\": 0.0333, \"complexity\": \"medium\", \"question_type\": \"code\", "
                + "\"cpu_load\": 1.5, \"gpu_memory_gb\": 0.0}");
        raw.zadd(history, 1_700_000_200, "not json at all");
        TaskKey key = new TaskKey("claude", "haiku_5");

        assertThat(store.history(key, 10)).containsExactly(
                new RunRecord(key, 1_700_000_100_000L, 31.0, 1, EndReason.EXIT, null, 1.5, 0),
                new RunRecord(key, 1_700_000_000_000L, 12.5, 0, EndReason.EXIT, null, 0.42, 0));
        assertThat(store.keys("claude")).containsExactly(key);
    }

    @Test
    void keysComeFromScan() {
        List<TaskKey> written = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            TaskKey key = new TaskKey(i % 3 == 0 ? "claude" : "cmd", "task_" + i);
            store.record(new RunRecord(key, T0, 1, 0, EndReason.EXIT, null, 0.0, 2));
            written.add(key);
        }
        // The original's complexity/question_type keys and other kinds are not task keys of ours.
        raw.zadd(prefix + ":cmd:task_1:medium:code:history", 1, "{}");
        raw.set(prefix + ":stall_ratios:code:medium", "1.5");
        raw.zadd(prefix + ":Bad Key:x:history", 1, "{}");

        assertThat(store.keys()).containsExactlyInAnyOrderElementsOf(written);
        assertThat(store.keys("claude")).containsExactlyInAnyOrderElementsOf(
                written.stream().filter(k -> k.category().equals("claude")).toList());
        assertThat(store.keys("nothing")).isEmpty();
    }

    @Test
    void parsesRedisUrl() {
        assertThat(RedisTimingStore.parseUrl("redis://127.0.0.1:6379/3").getDatabase()).isEqualTo(3);
        assertThat(RedisTimingStore.parseUrl("redis://example.org").getPort()).isEqualTo(6379);
        assertThatThrownBy(() -> RedisTimingStore.parseUrl("http://127.0.0.1:6379"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisTimingStore.parseUrl(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisTimingStore.parseUrl("http://user:secret@host:1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
    }

    @Test
    void writesToTheDatabaseOfTheUrl() {
        TaskKey key = new TaskKey("cmd", "db");
        try (RedisTimingStore db2 = RedisTimingStore.fromUrl(URL + "/2", prefix, Duration.ofMillis(250))) {
            db2.record(new RunRecord(key, T0, 1, 0, EndReason.EXIT, null, 0.0, 2));
            assertThat(db2.keys()).containsExactly(key);
        }
        assertThat(store.keys()).isEmpty();
        try (StatefulRedisConnection<String, String> c = rawClient.connect(
                RedisTimingStore.parseUrl(URL + "/2"))) {
            assertThat(c.sync().del(prefix + ":cmd:db:history", prefix + ":cmd:db:stats")).isEqualTo(2);
        }
    }

    @Test
    void unreachableRedisStillConstructsAndFailsFast() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        try (RedisTimingStore down = RedisTimingStore.fromUrl("redis://127.0.0.1:" + port, prefix,
                Duration.ofMillis(250))) {
            assertThat(down.connected()).isFalse();
            TaskKey key = new TaskKey("cmd", "x");
            assertThatThrownBy(() -> down.record(new RunRecord(key, T0, 1, 0, EndReason.EXIT, null, 0, 2)))
                    .isInstanceOf(TimingStoreException.class);
            assertThatThrownBy(() -> down.history(key, 10)).isInstanceOf(TimingStoreException.class);
            assertThatThrownBy(down::keys).isInstanceOf(TimingStoreException.class);
            assertThatThrownBy(down::ping).isInstanceOf(TimingStoreException.class);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    private static List<String> scan(String pattern) {
        List<String> keys = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = raw.scan(cursor, args);
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
    }
}
