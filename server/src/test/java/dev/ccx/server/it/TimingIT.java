// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/** Predicted timeouts end to end: recording, estimating, the timing methods, Redis and the embedded store. */
@ExtendWith(Groups.class)
class TimingIT {

    @Test
    void timeoutComesFromDefaultThenFromTheTasksOwnHistory() {
        try (TestServer server = TestServer.start(); TestClient c = server.connect()) {
            JsonNode first = started(c, ExecuteParams.shell("sleep 0.2"));
            assertThat(first.get("timeout_source").stringValue()).isEqualTo("default");
            assertThat(first.get("timeout").doubleValue()).as("600 s, scaled up when load > cores")
                    .isBetween(600.0, 1800.0);
            assertThat(first.get("task_key").stringValue()).isEqualTo("cmd:sleep");
            for (String arg : List.of("0.1", "0.3")) {
                c.run(ExecuteParams.shell("sleep " + arg));
            }
            // Runs are recorded in the background after process.completed: wait for the third to land.
            JsonNode estimate = awaitSource(c, Map.of("command", "sleep 5"), "history");
            assertThat(estimate.get("samples").intValue()).isEqualTo(3);
            assertThat(estimate.get("expected_duration").doubleValue()).isBetween(0.1, 2.0);
            // The floor for quick tasks, scaled up when the machine is busier than its core count.
            assertThat(estimate.get("timeout").doubleValue()).isBetween(10.0, 30.0);

            JsonNode predicted = started(c, ExecuteParams.shell("sleep 0.01"));
            assertThat(predicted.get("timeout_source").stringValue()).isEqualTo("history");
            assertThat(predicted.get("expected_duration").doubleValue()).isPositive();
        }
    }

    @Test
    void explicitTimeoutIsKeptAndPredictionCanBeTurnedOff() {
        try (TestServer server = TestServer.start(b -> b.predictTimeouts(false)); TestClient c = server.connect()) {
            JsonNode none = started(c, ExecuteParams.shell("true"));
            assertThat(none.get("timeout_source").stringValue()).isEqualTo("none");
            assertThat(none.get("timeout").isNull()).isTrue();
            JsonNode explicit = started(c, new ExecuteParams("true", null, 7.0, null, null, null));
            assertThat(explicit.get("timeout_source").stringValue()).isEqualTo("explicit");
            assertThat(explicit.get("timeout").doubleValue()).isEqualTo(7.0);
        }
    }

    @Test
    void historyAndStatsDescribeFinishedRunsOnly() {
        try (TestServer server = TestServer.start(); TestClient c = server.connect()) {
            c.run(ExecuteParams.shell("exit 3"));
            c.run(new ExecuteParams("sleep 30", null, 0.2, null, null, null));
            JsonNode history = awaitRuns(c, Map.of("category", "cmd", "name", "sleep"), 1);
            JsonNode run = history.get("runs").get(0);
            assertThat(run.get("reason").stringValue()).isEqualTo("timeout");
            assertThat(run.get("timeout").doubleValue()).isEqualTo(0.2);

            JsonNode stats = c.call("stats", Map.of("category", "cmd")).get("result");
            assertThat(stats.get("store").stringValue()).isEqualTo("embedded");
            assertThat(stats.get("degraded").booleanValue()).isFalse();
            JsonNode sleep = task(stats, "sleep");
            assertThat(sleep.get("count").intValue()).isEqualTo(1);
            assertThat(sleep.get("success_rate").doubleValue()).isZero();
            assertThat(sleep.get("p50").isNull()).as("a timed-out run says nothing about duration").isTrue();

            JsonNode bad = c.call("history", Map.of("category", "cmd"));
            assertThat(bad.get("error").get("code").intValue()).isEqualTo(-32602);
        }
    }

    @Test
    void embeddedHistorySurvivesARestart() throws Exception {
        Path state = Files.createTempDirectory("ccx-timing");
        try (TestServer server = TestServer.start(b -> b.stateDir(state)); TestClient c = server.connect()) {
            c.run(ExecuteParams.argv(List.of("git", "--version")));
            awaitRuns(c, Map.of("command", "git --version"), 1);
        }
        try (TestServer server = TestServer.start(b -> b.stateDir(state)); TestClient c = server.connect()) {
            JsonNode history = c.call("history", Map.of("argv", List.of("git", "--version"))).get("result");
            assertThat(history.get("runs").size()).isEqualTo(1);
        }
    }

    @Test
    void redisKeepsTheOriginalKeyLayout() {
        String prefix = "ccx-test-" + UUID.randomUUID() + ":times";
        RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
        try (StatefulRedisConnection<String, String> conn = redis.connect();
             TestServer server = TestServer.start(b -> b.redisUrl("redis://127.0.0.1:6379").redisPrefix(prefix));
             TestClient c = server.connect()) {
            c.run(ExecuteParams.shell("echo recorded"));
            String history = prefix + ":cmd:echo:history";
            io.lettuce.core.api.sync.RedisCommands<String, String> cmd = conn.sync();
            dev.ccx.server.testing.Wait.until(5_000, "run recorded in Redis", () -> cmd.zcard(history) == 1);
            assertThat(cmd.zrange(history, 0, -1).getFirst()).contains("\"actual\"", "\"success\":true");
            assertThat(cmd.hget(prefix + ":cmd:echo:stats", "total_runs")).isEqualTo("1");
            assertThat(cmd.ttl(history)).isBetween(7L * 86400 - 60, 7L * 86400);
            assertThat(server.server().health().timingStore()).isEqualTo("redis");
        } finally {
            try (StatefulRedisConnection<String, String> conn = redis.connect()) {
                ScanIterator.scan(conn.sync(), ScanArgs.Builder.matches(prefix + ":*")).stream()
                        .forEach(k -> conn.sync().del(k));
            }
            redis.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void unreachableRedisNeverFailsOrSlowsAnExecution() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (TestServer server = TestServer.start(b -> b.redisUrl("redis://127.0.0.1:" + closedPort));
             TestClient c = server.connect()) {
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                TestClient.Run run = c.run(ExecuteParams.shell("echo fine"));
                assertThat(run.exitCode()).isZero();
                assertThat((System.nanoTime() - t) / 1_000_000).as("ms for one echo").isLessThan(3_000);
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.http("/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"timing_store\":\"embedded\"", "\"timing_degraded\":true");
            assertThat(awaitRuns(c, Map.of("command", "echo x"), 5).get("runs").size()).isEqualTo(5);
        }
    }

    private static JsonNode started(TestClient c, ExecuteParams p) {
        TestClient.Run run = c.run(p);
        return run.messages.getFirst().get("params");
    }

    private static JsonNode awaitSource(TestClient c, Map<String, Object> params, String source) {
        JsonNode[] last = new JsonNode[1];
        dev.ccx.server.testing.Wait.until(5_000, "estimate from " + source, () -> {
            last[0] = c.call("estimate", params).get("result");
            return source.equals(last[0].get("source").stringValue());
        });
        return last[0];
    }

    private static JsonNode awaitRuns(TestClient c, Map<String, Object> params, int runs) {
        JsonNode[] last = new JsonNode[1];
        dev.ccx.server.testing.Wait.until(5_000, runs + " recorded runs", () -> {
            last[0] = c.call("history", params).get("result");
            return last[0].get("runs").size() >= runs;
        });
        return last[0];
    }

    private static JsonNode task(JsonNode stats, String name) {
        for (JsonNode t : stats.get("tasks")) {
            if (t.get("name").stringValue().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no task " + name + " in " + stats);
    }
}
