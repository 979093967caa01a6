// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.ServerProcess;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** What happens to running commands when the server process itself is signalled. */
@ExtendWith(Groups.class)
class LifecycleIT {
    private static final String TREE = "sleep 300 & echo started; sleep 300; wait";

    @TempDir
    Path stateDir;

    @Test
    void sigtermEndsEveryGroupTellsClientsAndExitsWithinGracePlusOneSecond() throws Exception {
        try (ServerProcess server = ServerProcess.start(stateDir, "--max-processes-per-session", "2");
             TestClient a = TestClient.connect(server.uri());
             TestClient b = TestClient.connect(server.uri())) {
            TestClient.Started a1 = a.execute(ExecuteParams.shell(TREE));
            TestClient.Started a2 = a.execute(ExecuteParams.shell(TREE));
            TestClient.Started b1 = b.execute(ExecuteParams.shell(TREE));
            for (var s : new TestClient.Started[] {a1, a2}) {
                a.notification("process.output", s.id(), 5_000);
            }
            b.notification("process.output", b1.id(), 5_000);

            long sentAt = System.nanoTime();
            server.process().destroy(); // SIGTERM
            assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            long exitMillis = (System.nanoTime() - sentAt) / 1_000_000;

            assertThat(exitMillis).as("exit after SIGTERM, ms").isLessThan(1_500); // grace 0.5 s + 1 s
            assertThat(server.process().exitValue()).isEqualTo(143);
            for (var s : new TestClient.Started[] {a1, a2}) {
                JsonNode completed = drain(server, a, s);
                assertThat(completed.get("reason").stringValue()).isEqualTo("shutdown");
                assertThat(new ProcessGroup(s.pgid()).isAlive()).isFalse();
            }
            assertThat(drain(server, b, b1).get("reason").stringValue()).isEqualTo("shutdown");
            assertThat(new ProcessGroup(b1.pgid()).isAlive()).isFalse();
            assertThat(a.closed().get(5, TimeUnit.SECONDS)[0]).isEqualTo(1001);
            assertThat(server.log()).contains("reason=shutdown");
        }
    }

    /** The completion of {@code s}; when it is missing, the failure carries the server's log. */
    private static JsonNode drain(ServerProcess server, TestClient c, TestClient.Started s) {
        try {
            return c.drain(s.id(), 5_000, m -> { });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the server's log:\n" + server.log(), e);
        }
    }

    @Test
    void restartAfterSigkillEndsTheGroupsTheDeadServerLeft() throws Exception {
        long leftover;
        try (ServerProcess first = ServerProcess.start(stateDir);
             TestClient c = TestClient.connect(first.uri())) {
            TestClient.Started s = c.execute(ExecuteParams.shell(TREE));
            c.notification("process.output", s.id(), 5_000);
            leftover = s.pgid();
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(new ProcessGroup(leftover).isAlive()).as("the group outlives a SIGKILLed server").isTrue();

        // A group nobody recorded (someone else's) must survive the clean-up.
        Process foreign = new ProcessBuilder("setsid", "sleep", "300").start();
        Groups.saw(foreign.pid());
        try (ServerProcess second = ServerProcess.start(stateDir)) {
            Wait.until(5_000, "leftover group ended by the restarted server",
                    () -> !new ProcessGroup(leftover).isAlive());
            assertThat(second.log()).contains("left by a previous server");
            assertThat(new ProcessGroup(foreign.pid()).isAlive()).isTrue();
            try (var records = Files.list(stateDir.resolve("groups"))) {
                assertThat(records).isEmpty();
            }
        } finally {
            new ProcessGroup(foreign.pid()).signal(Signal.KILL);
            foreign.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
