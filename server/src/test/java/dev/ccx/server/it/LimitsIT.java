// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Session and process limits: refused at once with a specific error, nothing queued, and the slot is given back
 * when what held it ends.
 */
@ExtendWith(Groups.class)
class LimitsIT {
    private static final long WAIT_MS = 10_000;
    /** "Immediately": far below the 30 s the sleeps would take, generous for a loaded CI machine. */
    private static final long PROMPT_MS = 1_000;
    private static final ExecuteParams SLEEP = ExecuteParams.argv(List.of("sleep", "30"));

    @Test
    void sessionLimitRefusesTheThirdConnectionWith32003And1008ThenAdmitsAfterAClose() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxSessions(2));
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
             TestClient first = connected(server);
             TestClient second = connected(server)) {
            try (TestClient third = TestClient.connect(server.uri())) {
                JsonNode refusal = third.take(m -> true, WAIT_MS);
                assertThat(refusal.has("error")).as(refusal.toString()).isTrue();
                assertThat(refusal.get("error").get("code").intValue()).isEqualTo(-32003);
                assertThat(refusal.get("error").get("message").stringValue()).contains("max_sessions");
                assertThat(refusal.get("error").get("data").get("max").intValue()).isEqualTo(2);
                assertThat(refusal.has("id") && refusal.get("id").isNull()).as(refusal.toString()).isTrue();
                int code = third.closed().get(WAIT_MS, TimeUnit.MILLISECONDS)[0];
                assertThat(code).as("close code (%s)", third.closeReason()).isEqualTo(1008);
                assertThat(third.pending()).as("nothing after the refusal").isEmpty();
            }
            // The refused connection did not take a slot, and the admitted ones still work.
            assertThat(activeSessions(http, server)).isEqualTo(2);
            assertEchoWorks(second);

            first.close();
            int active = Wait.untilValue(5_000, () -> activeSessions(http, server), n -> n == 1);
            assertThat(active).as("active sessions after one closed").isEqualTo(1);
            try (TestClient fourth = TestClient.connect(server.uri())) {
                JsonNode greeting = fourth.take(m -> true, WAIT_MS);
                assertThat(greeting.has("method") ? greeting.get("method").stringValue() : greeting.toString())
                        .isEqualTo("connected");
                assertEchoWorks(fourth);
            }
        }
    }

    @Test
    void secondExecuteOnTheSameSessionIsRefusedUntilTheFirstCompletes() {
        try (TestServer server = TestServer.start();
             TestClient c = connected(server)) {
            TestClient.Started sleep = c.execute(SLEEP);

            long t0 = System.nanoTime();
            JsonNode refused = c.call("execute", ExecuteParams.shell("echo second"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertProcessLimit(refused, "A process is already running");
            assertThat(refused.get("error").get("data").get("limit").stringValue())
                    .isEqualTo("max_processes_per_session");
            assertThat(tookMs).as("refusal time in ms").isLessThan(PROMPT_MS);

            cancel(c, sleep.id());
            // The slot is back by the time process.completed arrives: no waiting, no retry.
            TestClient.Run run = c.run(ExecuteParams.shell("echo second"));
            assertThat(run.stdout.toString()).isEqualTo("second\n");
            assertThat(run.exitCode()).isZero();
        }
    }

    @Test
    void slotIsReturnedWhenAnExecutionEndsOnItsOwn() {
        try (TestServer server = TestServer.start();
             TestClient c = connected(server)) {
            for (int i = 0; i < 5; i++) {
                TestClient.Run run = c.run(ExecuteParams.shell("echo round-" + i));
                assertThat(run.stdout.toString()).isEqualTo("round-" + i + "\n");
            }
            // A failing command returns its slot too.
            assertThat(c.run(ExecuteParams.shell("exit 3")).exitCode()).isEqualTo(3);
            assertThat(c.run(ExecuteParams.shell("echo after")).stdout.toString()).isEqualTo("after\n");
        }
    }

    @Test
    void perSessionLimitOfThreeRunsThreeConcurrentlyAndRefusesTheFourth() {
        try (TestServer server = TestServer.start(b -> b.maxProcessesPerSession(3));
             TestClient c = connected(server);
             TestClient other = connected(server)) {
            List<TestClient.Started> running = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    running.add(c.execute(SLEEP));
                }
                assertThat(running.stream().map(TestClient.Started::pgid).distinct()).hasSize(3);

                long t0 = System.nanoTime();
                JsonNode refused = c.call("execute", SLEEP);
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertProcessLimit(refused, "max_processes_per_session=3");
                assertThat(tookMs).as("refusal time in ms").isLessThan(PROMPT_MS);

                // The limit is per session: another connection still runs its own.
                assertEchoWorks(other);
            } finally {
                for (TestClient.Started s : running) {
                    cancel(c, s.id());
                }
            }
            // All three slots are back.
            for (int i = 0; i < 3; i++) {
                running.add(c.execute(SLEEP));
            }
            for (TestClient.Started s : running.subList(3, 6)) {
                cancel(c, s.id());
            }
        }
    }

    @Test
    void globalLimitRefusesAThirdConnectionsExecuteAtOnceWithoutQueueing() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxProcesses(2));
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
             TestClient a = connected(server);
             TestClient b = connected(server);
             TestClient c = connected(server)) {
            TestClient.Started sa = a.execute(SLEEP);
            TestClient.Started sb = b.execute(SLEEP);
            try {
                long t0 = System.nanoTime();
                JsonNode refused = c.call("execute", ExecuteParams.shell("echo third"));
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertProcessLimit(refused, "max_processes");
                assertThat(refused.get("error").get("message").stringValue())
                        .doesNotContain("max_processes_per_session");
                assertThat(refused.get("error").get("data").get("limit").stringValue()).isEqualTo("max_processes");
                assertThat(refused.get("error").get("data").get("max").intValue()).isEqualTo(2);
                assertThat(tookMs).as("refusal time in ms").isLessThan(PROMPT_MS);

                // Nothing was queued: the refused request never starts, even once there is room.
                cancel(a, sa.id());
                assertThat(activeRunning(http, server)).isEqualTo(1);
                TestClient.Run run = c.run(ExecuteParams.shell("echo now-there-is-room"));
                assertThat(run.stdout.toString()).isEqualTo("now-there-is-room\n");
                assertThat(c.pending()).as("c received nothing about the refused execute")
                        .noneMatch(m -> m.toString().contains("third"));
                // The refused session's own slot was not leaked either (its per-session limit is 1).
                assertThat(c.run(ExecuteParams.shell("echo again")).stdout.toString()).isEqualTo("again\n");
            } finally {
                cancelIfRunning(a, sa.id());
                cancel(b, sb.id());
            }
            assertThat(activeRunning(http, server)).isZero();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static TestClient connected(TestServer server) {
        TestClient c = server.connect();
        JsonNode first = c.take(m -> true, WAIT_MS);
        if (!first.has("method") || !"connected".equals(first.get("method").stringValue())) {
            c.close();
            fail("expected connected, got " + first);
        }
        return c;
    }

    private static void assertProcessLimit(JsonNode response, String messagePart) {
        JsonNode result = response.get("result");
        if (result != null && result.has("pgid")) {
            Groups.saw(result.get("pgid").longValue());
        }
        assertThat(response.has("error")).as("expected -32004, got %s", response).isTrue();
        assertThat(response.get("error").get("code").intValue()).as(response.toString()).isEqualTo(-32004);
        assertThat(response.get("error").get("message").stringValue()).contains(messagePart);
    }

    /** Cancels {@code id} and waits for its {@code process.completed}. */
    private static void cancel(TestClient c, String id) {
        JsonNode r = c.call("control", Map.of("type", "CANCEL", "execution_id", id));
        assertThat(r.has("result")).as(r.toString()).isTrue();
        assertThat(r.get("result").get("status").stringValue()).isEqualTo("canceled");
        JsonNode done = c.notification("process.completed", id, WAIT_MS);
        assertThat(done.get("params").get("reason").stringValue()).isEqualTo("canceled");
    }

    private static void cancelIfRunning(TestClient c, String id) {
        JsonNode r = c.call("control", Map.of("type", "CANCEL", "execution_id", id));
        if (r.has("result")) {
            c.notification("process.completed", id, WAIT_MS);
        }
    }

    private static void assertEchoWorks(TestClient c) {
        TestClient.Run run = c.run(ExecuteParams.shell("echo works"), WAIT_MS);
        assertThat(run.stdout.toString()).isEqualTo("works\n");
    }

    private static JsonNode health(HttpClient http, TestServer server) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.http("/health"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return Wire.mapper().readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("GET /health failed", e);
        }
    }

    private static int activeSessions(HttpClient http, TestServer server) {
        return health(http, server).get("active_sessions").intValue();
    }

    private static int activeRunning(HttpClient http, TestServer server) {
        return health(http, server).get("running_processes").intValue();
    }
}
