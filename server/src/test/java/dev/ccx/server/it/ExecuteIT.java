// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.process.Engines;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.ProcState;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

@ExtendWith(Groups.class)
class ExecuteIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    @Test
    void connectedComesFirstWithSessionAndCapabilities() {
        try (TestClient c = server.connect()) {
            JsonNode connected = c.notification("connected");
            assertThat(connected.get("params").get("session_id").stringValue()).isNotBlank();
            assertThat(connected.get("params").get("version").stringValue()).isNotBlank();
            assertThat(connected.get("params").get("capabilities").toString()).contains("execute", "control");
        }
    }

    @Test
    void echoStreamsItsLineAndCompletes() {
        try (TestClient c = server.connect()) {
            TestClient.Run run = c.run(ExecuteParams.shell("echo hello"));
            assertThat(run.stdout.toString()).isEqualTo("hello\n");
            assertThat(run.methods()).containsExactly("process.started", "process.output", "process.completed");
            assertThat(run.completed.get("status").stringValue()).isEqualTo("completed");
            assertThat(run.exitCode()).isZero();
            assertThat(run.reason()).isEqualTo("exit");
            assertThat(run.started.pgid()).isEqualTo(run.started.pid());
        }
    }

    @Test
    void argvRunsWithoutAShell() {
        try (TestClient c = server.connect()) {
            TestClient.Run run = c.run(ExecuteParams.argv(List.of("echo", "$HOME", "a;b")));
            assertThat(run.stdout.toString()).isEqualTo("$HOME a;b\n");
        }
    }

    @Test
    void whatTheLeaderLeftRunningIsDrainedThenEndedBeforeTheCompletion() throws Exception {
        try (TestClient c = server.connect()) {
            // The leader exits at once; its background job writes a line later, then would sleep for a minute.
            TestClient.Run run = c.run(ExecuteParams.shell("(sleep 0.2; echo late; sleep 60) & echo $!; echo early"));
            long background = Long.parseLong(run.stdout.toString().lines().findFirst().orElseThrow());
            assertThat(run.reason()).isEqualTo("exit");
            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout.toString()).contains("early\n");
            if (TestServer.spawner() == Engines.Choice.NATIVE) {
                // The JDK engine cannot: the JDK closes a child's pipes itself when the child exits.
                assertThat(run.stdout.toString()).endsWith("late\n");
            }
            assertThat(ProcState.exists(background)).as("the background job, when the completion came").isFalse();
            assertThat(run.completed.get("execution_time").doubleValue()).as("grace 0.5 s, then the group ended")
                    .isLessThan(3.0);
        }
    }
}
