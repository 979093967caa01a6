// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.ProcState;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.Wait;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** PAUSE / RESUME / CANCEL, timeouts and disconnects, always acting on the whole process group. */
@ExtendWith(Groups.class)
class ControlIT {
    /** Starts a background grandchild, prints its pid, then keeps the leader alive. */
    private static final String WITH_GRANDCHILD =
            "(while true; do sleep 0.05; done) & echo child $!; while true; do sleep 0.05; done";
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.maxProcessesPerSession(4));

    @Test
    void pauseAndResumeReachGrandchildrenAndCancelEndsThem() {
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(ExecuteParams.shell(WITH_GRANDCHILD));
            long grandchild = grandchildPid(c, s.id());

            JsonNode paused = c.call("control", Map.of("type", "PAUSE", "execution_id", s.id()));
            assertThat(paused.get("result").get("status").stringValue()).isEqualTo("paused");
            c.notification("process.paused", s.id(), 5_000);
            Wait.until(5_000, "leader and grandchild stopped",
                    () -> ProcState.of(s.pid()) == 'T' && ProcState.of(grandchild) == 'T');

            JsonNode resumed = c.call("control", Map.of("type", "RESUME", "execution_id", s.id()));
            assertThat(resumed.get("result").get("status").stringValue()).isEqualTo("resumed");
            Wait.until(5_000, "leader and grandchild running again",
                    () -> ProcState.of(s.pid()) != 'T' && ProcState.of(grandchild) != 'T');

            JsonNode canceled = c.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            assertThat(canceled.get("result").get("status").stringValue()).isEqualTo("canceled");
            List<String> after = new ArrayList<>();
            JsonNode completed = c.drain(s.id(), 10_000, m -> after.add(m.get("method").stringValue()));
            assertThat(after).containsSubsequence("process.canceled", "process.completed");
            assertThat(completed.get("reason").stringValue()).isEqualTo("canceled");
            assertThat(completed.get("status").stringValue()).isEqualTo("failed");
            assertThat(completed.get("exit_code").intValue()).isEqualTo(143);
            Wait.until(5_000, "grandchild gone", () -> !ProcState.exists(grandchild));
            assertThat(new ProcessGroup(s.pgid()).isAlive()).isFalse();
        }
    }

    @Test
    void pauseWhilePausedAndResumeWhileRunningAreInvalidState() {
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(ExecuteParams.shell("sleep 30"));
            assertThat(code(c.call("control", Map.of("type", "RESUME")))).isEqualTo(-32006);
            c.call("control", Map.of("type", "PAUSE"));
            assertThat(code(c.call("control", Map.of("type", "pause")))).isEqualTo(-32006);
            // CANCEL works on a paused group: SIGCONT follows SIGTERM so the stopped processes can act on it.
            c.call("control", Map.of("type", "CANCEL"));
            JsonNode completed = c.drain(s.id(), 10_000, m -> { });
            assertThat(completed.get("reason").stringValue()).isEqualTo("canceled");
        }
    }

    @Test
    void childIgnoringSigtermIsKilledAfterTheGracePeriod() {
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(ExecuteParams.shell("trap '' TERM; echo ready; while true; do sleep 0.05; done"));
            c.notification("process.output", s.id(), 5_000);
            long canceledAt = System.nanoTime();
            c.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            JsonNode completed = c.drain(s.id(), 10_000, m -> { });
            long tookMillis = (System.nanoTime() - canceledAt) / 1_000_000;
            assertThat(completed.get("exit_code").intValue()).isEqualTo(137);
            assertThat(completed.get("reason").stringValue()).isEqualTo("canceled");
            assertThat(tookMillis).isBetween(400L, 5_000L); // the test server's grace is 500 ms
        }
    }

    @Test
    void deadlineEndsTheGroupAfterDeliveringOutput() {
        try (TestClient c = server.connect()) {
            TestClient.Run run = c.run(new ExecuteParams("echo start; sleep 30 & wait", null, 0.5, null, null, null));
            assertThat(run.stdout.toString()).isEqualTo("start\n");
            assertThat(run.reason()).isEqualTo("timeout");
            assertThat(run.completed.get("status").stringValue()).isEqualTo("failed");
            assertThat(run.completed.get("error").stringValue()).contains("timeout");
            assertThat(run.completed.get("execution_time").doubleValue()).isBetween(0.4, 5.0);
            assertThat(run.messages.getFirst().get("params").get("timeout").doubleValue()).isEqualTo(0.5);
        }
    }

    @Test
    void idleTimeoutFiresOnlyAfterSilence() {
        try (TestClient c = server.connect()) {
            TestClient.Run run = c.run(new ExecuteParams(
                    "for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done; sleep 30", null, null, 0.8, null, null));
            assertThat(run.stdout.toString()).isEqualTo("1\n2\n3\n4\n5\n6\n");
            assertThat(run.reason()).isEqualTo("idle_timeout");
            assertThat(run.completed.get("execution_time").doubleValue()).isGreaterThan(1.2);
        }
    }

    @Test
    void idleClockDoesNotRunWhilePaused() {
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(new ExecuteParams("echo a; sleep 30", null, null, 0.5, null, null));
            c.notification("process.output", s.id(), 5_000);
            c.call("control", Map.of("type", "PAUSE", "execution_id", s.id()));
            // Paused for three idle periods: no process.completed may arrive.
            assertNoCompletion(c, s.id(), 1_500);
            c.call("control", Map.of("type", "RESUME", "execution_id", s.id()));
            JsonNode completed = c.drain(s.id(), 5_000, m -> { });
            assertThat(completed.get("reason").stringValue()).isEqualTo("idle_timeout");
        }
    }

    @Test
    void disconnectKillsTheSessionsGroups() {
        TestClient c = server.connect();
        TestClient.Started s = c.execute(ExecuteParams.shell(WITH_GRANDCHILD));
        long grandchild = grandchildPid(c, s.id());
        c.abort();
        Wait.until(5_000, "group gone after disconnect", () -> !new ProcessGroup(s.pgid()).isAlive());
        assertThat(ProcState.exists(grandchild)).isFalse();
        Wait.until(5_000, "slot released", () -> server.server().health().runningProcesses() == 0);
    }

    @Test
    void severalExecutionsPerConnectionAreAddressedById() {
        try (TestClient c = server.connect()) {
            TestClient.Started a = c.execute(ExecuteParams.shell("sleep 30"));
            TestClient.Started b = c.execute(ExecuteParams.shell("for i in $(seq 1 40); do echo $i; sleep 0.02; done"));
            JsonNode ambiguous = c.call("control", Map.of("type", "CANCEL"));
            assertThat(code(ambiguous)).isEqualTo(-32602);
            assertThat(ambiguous.get("error").get("message").stringValue()).contains("execution_id");
            JsonNode paused = c.call("control", Map.of("type", "PAUSE", "execution_id", a.id()));
            assertThat(paused.get("result").get("status").stringValue()).isEqualTo("paused");
            JsonNode bDone = c.drain(b.id(), 10_000, m -> { });
            assertThat(bDone.get("stdout_lines").longValue()).isEqualTo(40);
            // A stop takes effect when the kernel next schedules the process: wait for it, bounded.
            Wait.until(5_000, "the paused execution stopped", () -> ProcState.of(a.pid()) == 'T');
            c.call("control", Map.of("type", "CANCEL", "execution_id", a.id()));
            assertThat(c.drain(a.id(), 10_000, m -> { }).get("reason").stringValue()).isEqualTo("canceled");
        }
    }

    @Test
    void exactlyOneCompletionWhateverRaces() {
        try (TestClient c = server.connect()) {
            for (int round = 0; round < 30; round++) {
                // Exit, deadline and cancel all land within a few milliseconds of each other.
                TestClient.Started s = c.execute(new ExecuteParams("sleep 0.0" + (round % 10), null, 0.01, null,
                        null, null));
                c.send("control", Map.of("type", "CANCEL", "execution_id", s.id()));
                List<String> methods = new ArrayList<>();
                c.drain(s.id(), 10_000, m -> methods.add(m.get("method").stringValue()));
                assertThat(methods.stream().filter("process.completed"::equals)).hasSize(1);
                assertThat(methods.getLast()).isEqualTo("process.completed");
                assertNoMessageAbout(c, s.id(), round == 29 ? 500 : 0);
            }
        }
    }

    private static long grandchildPid(TestClient c, String id) {
        JsonNode out = c.notification("process.output", id, 5_000);
        String line = out.get("params").get("data").stringValue().strip();
        assertThat(line).startsWith("child ");
        return Long.parseLong(line.substring(6));
    }

    private static void assertNoCompletion(TestClient c, String id, long millis) {
        try {
            JsonNode m = c.notification("process.completed", id, millis);
            throw new AssertionError("unexpected completion: " + m);
        } catch (AssertionError e) {
            if (e.getMessage().startsWith("unexpected")) {
                throw e;
            }
        }
    }

    private static void assertNoMessageAbout(TestClient c, String id, long millis) {
        try {
            JsonNode m = c.take(x -> x.has("params") && id.equals(textOf(x.get("params"), "execution_id"))
                    && !x.has("result") && !x.has("error"), millis);
            throw new AssertionError("message after process.completed: " + m);
        } catch (AssertionError e) {
            if (e.getMessage().startsWith("message after")) {
                throw e;
            }
        }
    }

    private static String textOf(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || !v.isString() ? null : v.stringValue();
    }

    private static int code(JsonNode response) {
        return response.get("error").get("code").intValue();
    }
}
