// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.RawClient;
import dev.ccx.server.testing.ServerProcess;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Clients that do not keep up: one that stops reading, one that reads slowly. None of them may hold back anything
 * but its own processes: not the timer, not another client, not a cancel, not the shutdown.
 *
 * <p>The servers here keep small output logs (64 KiB in memory, 1 MiB on disk), so a client that stops reading
 * fills its log within milliseconds and its process is held back by its pipe.
 */
@ExtendWith(Groups.class)
class UnhappyClientsIT {
    private static final int SMALL_BUFFER = 4096;
    private static final UnaryOperator<dev.ccx.server.ServerConfig.Builder> SMALL_LOGS =
            b -> b.logMemoryBytes(64 * 1024).logMaxBytes(1 << 20).logTotalBytes(8 << 20);

    @TempDir
    Path stateDir;

    /** Starts {@code params} from a raw client that reads nothing after the execute result; returns the pgid. */
    private static long startUnread(RawClient client, Map<String, ?> params) {
        JsonNode response = client.response(client.send("execute", params));
        assertThat(response).as("execute answered").isNotNull();
        long pgid = response.get("result").get("pgid").longValue();
        Groups.saw(pgid);
        return pgid;
    }

    @Test
    void anotherClientsDeadlineFiresOnTimeWhileAClientReadsNothing() {
        try (TestServer server = TestServer.start(SMALL_LOGS);
             RawClient stuck = RawClient.connect(server.uri(), SMALL_BUFFER);
             TestClient other = server.connect()) {
            long flood = startUnread(stuck, Map.of("argv", List.of("yes", "flood"), "timeout", 1));

            long sentAt = System.nanoTime();
            TestClient.Run run = other.run(Map.of("argv", List.of("sleep", "60"), "timeout", 2), 10_000);
            long tookMillis = (System.nanoTime() - sentAt) / 1_000_000;

            assertThat(run.reason()).isEqualTo("timeout");
            assertThat(tookMillis).as("the 2 s deadline, ms").isLessThan(3_000);
            // The unread client's own deadline fired too: its group is gone although nobody reads its output.
            Wait.until(5_000, "the unread flood ended by its deadline", () -> !new ProcessGroup(flood).isAlive());
        }
    }

    @Test
    void aClientThatReadsNothingDoesNotSlowAnotherClientsOutput() {
        try (TestServer server = TestServer.start(SMALL_LOGS);
             RawClient stuck = RawClient.connect(server.uri(), SMALL_BUFFER);
             TestClient other = server.connect()) {
            startUnread(stuck, Map.of("argv", List.of("yes", "flood")));

            TestClient.Run run = other.run(Map.of("argv", List.of("seq", "1", "200000")), 20_000);

            assertThat(run.exitCode()).isZero();
            assertThat(run.completed.get("stdout_lines").longValue()).isEqualTo(200_000);
            assertThat(run.stdout.toString()).endsWith("199999\n200000\n");
        }
    }

    @Test
    void aProcessWritingAllTheTimeToASlowReaderIsNotIdle() {
        try (TestServer server = TestServer.start(SMALL_LOGS);
             RawClient slow = RawClient.connect(server.uri(), SMALL_BUFFER)) {
            long startedAt = System.nanoTime();
            JsonNode response = slow.response(slow.send("execute",
                    Map.of("argv", List.of("yes", "busy"), "idle_timeout", 1, "timeout", 3)));
            String id = response.get("result").get("execution_id").stringValue();
            long pgid = response.get("result").get("pgid").longValue();
            Groups.saw(pgid);

            // Read one message every 2 ms for 4.5 s: far slower than yes writes, so its log fills and the process
            // is held back by its pipe. It is writing all the time; the idle timeout must not fire.
            long slowUntil = startedAt + TimeUnit.MILLISECONDS.toNanos(4_500);
            long goneAfterMillis = -1;
            long lines = 0;
            JsonNode completed = null;
            while (completed == null) {
                JsonNode m = slow.next();
                assertThat(m).as("connection open").isNotNull();
                String method = TestClient.text(m, "method");
                if ("process.output".equals(method) && id.equals(TestClient.text(m.get("params"), "execution_id"))) {
                    lines++;
                } else if ("process.completed".equals(method)) {
                    completed = m;
                }
                if (System.nanoTime() < slowUntil) {
                    if (goneAfterMillis < 0 && !new ProcessGroup(pgid).isAlive()) {
                        goneAfterMillis = (System.nanoTime() - startedAt) / 1_000_000;
                    }
                    pause(2);
                }
            }

            assertThat(completed.get("params").get("reason").stringValue()).isEqualTo("timeout");
            assertThat(goneAfterMillis).as("group ended by the 3 s deadline, ms after execute").isBetween(2_900L,
                    3_900L);
            assertThat(completed.get("params").get("stdout_lines").longValue()).as("no line lost").isEqualTo(lines);
        }
    }

    @Test
    void tinyTimeoutsAreRealDeadlines() {
        try (TestServer server = TestServer.start(); TestClient c = server.connect()) {
            TestClient.Run timeout = c.run(Map.of("argv", List.of("sleep", "10"), "timeout", 1e-10), 5_000);
            assertThat(timeout.reason()).isEqualTo("timeout");
            assertThat(timeout.completed.get("execution_time").doubleValue()).isLessThan(2.0);

            TestClient.Run idle = c.run(Map.of("argv", List.of("sleep", "10"), "idle_timeout", 1e-10), 5_000);
            assertThat(idle.reason()).isEqualTo("idle_timeout");
            assertThat(idle.completed.get("execution_time").doubleValue()).isLessThan(2.0);
        }
    }

    @Test
    void aClientThatReadsNothingForTheSendTimeoutIsDroppedAndItsExecutionsEndAsDisconnect() {
        try (TestServer server = TestServer.start(b -> SMALL_LOGS.apply(b).sendTimeout(Duration.ofSeconds(1)));
             RawClient stuck = RawClient.connect(server.uri(), SMALL_BUFFER);
             TestClient other = server.connect()) {
            long flood = startUnread(stuck, Map.of("argv", List.of("yes", "dropped")));

            // Send timeout 1 s, then the group is ended at once (grace 0.5 s): well within 5 s.
            Wait.until(5_000, "the dropped client's group ended", () -> !new ProcessGroup(flood).isAlive());
            JsonNode runs = Wait.untilValue(5_000,
                    () -> other.call("history", Map.of("argv", List.of("yes", "dropped"))).get("result").get("runs"),
                    r -> !r.isEmpty());
            assertThat(runs.get(0).get("reason").stringValue()).isEqualTo("disconnect");
            assertThat(server.server().health().activeSessions()).isEqualTo(1);
        }
    }

    @Test
    void sigtermEndsTheServerAndEveryGroupWithinGracePlusOneSecondWhileAClientReadsNothing() throws Exception {
        try (ServerProcess server = ServerProcess.start(stateDir, "--log-memory", "64K", "--log-max", "1M",
                "--max-processes-per-session", "2");
             RawClient stuck = RawClient.connect(server.uri(), SMALL_BUFFER);
             TestClient reader = TestClient.connect(server.uri())) {
            long flood = startUnread(stuck, Map.of("argv", List.of("yes", "at-shutdown")));
            long sleeper = startUnread(stuck, Map.of("command", "sleep 300 & sleep 300"));
            TestClient.Started other = reader.execute(Map.of("argv", List.of("sleep", "300")));

            long sentAt = System.nanoTime();
            server.process().destroy(); // SIGTERM
            assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            long exitMillis = (System.nanoTime() - sentAt) / 1_000_000;

            assertThat(exitMillis).as("exit after SIGTERM, ms").isLessThan(1_500); // grace 0.5 s + 1 s
            for (long pgid : new long[] {flood, sleeper, other.pgid()}) {
                assertThat(new ProcessGroup(pgid).isAlive()).as("group " + pgid).isFalse();
            }
            assertThat(reader.drain(other.id(), 5_000, m -> { }).get("reason").stringValue()).isEqualTo("shutdown");
        }
    }

    @Test
    void cancelActsAtOnceOnAFloodWhoseClientReadsSlowly() {
        try (TestServer server = TestServer.start(SMALL_LOGS);
             RawClient slow = RawClient.connect(server.uri(), SMALL_BUFFER)) {
            JsonNode response = slow.response(slow.send("execute", Map.of("argv", List.of("yes", "cancel me"))));
            String id = response.get("result").get("execution_id").stringValue();
            long pgid = response.get("result").get("pgid").longValue();
            Groups.saw(pgid);
            for (int i = 0; i < 100; i++) {
                slow.next(); // some output, then the client is far behind
            }

            long sentAt = System.nanoTime();
            long cancel = slow.send("control", Map.of("type", "CANCEL", "execution_id", id));
            Wait.until(3_000, "the canceled group ended", () -> !new ProcessGroup(pgid).isAlive());
            long tookMillis = (System.nanoTime() - sentAt) / 1_000_000;
            assertThat(tookMillis).as("cancel to group gone, ms").isLessThan(1_500);

            // Behind the backlog: the result, then process.canceled, then the rest, then process.completed.
            AtomicLong order = new AtomicLong();
            long resultAt = -1;
            long canceledAt = -1;
            for (JsonNode m; (m = slow.next()) != null; ) {
                long n = order.incrementAndGet();
                if (m.has("id") && m.get("id").longValue() == cancel) {
                    assertThat(m.get("result").get("status").stringValue()).isEqualTo("canceled");
                    resultAt = n;
                } else if ("process.canceled".equals(TestClient.text(m, "method"))) {
                    canceledAt = n;
                } else if ("process.completed".equals(TestClient.text(m, "method"))) {
                    assertThat(m.get("params").get("reason").stringValue()).isEqualTo("canceled");
                    break;
                }
            }
            assertThat(resultAt).isPositive();
            assertThat(canceledAt).isEqualTo(resultAt + 1);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the slow reader's pace: this is the behaviour under test, not a wait for it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
