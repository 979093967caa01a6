// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.Prometheus;
import dev.ccx.server.testing.RawClient;
import dev.ccx.server.testing.ServerProcess;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code --audit-log}: one JSON line per execution and per refusal, none lost when the server stops. */
@ExtendWith(Groups.class)
class AuditLogIT {
    private static final List<String> EXECUTION_FIELDS = List.of("time", "event", "execution_id", "session",
            "principal", "remote", "kind", "cwd", "pid", "reason", "exit_code", "started_at", "duration_seconds",
            "bytes_out", "stdout_bytes", "stderr_bytes");

    @Test
    void oneLinePerExecutionAndPerRefusal(@TempDir Path dir) throws Exception {
        Path audit = dir.resolve("audit/audit.log");
        List<String> ids = new ArrayList<>();
        TestServer server = TestServer.start(b -> b.auditLog(audit).maxProcessesPerSession(2));
        boolean stopped = false;
        try {
            try (TestClient a = server.connect(); TestClient b = server.connect()) {
                for (int i = 0; i < 10; i++) {
                    ids.add(a.run(ExecuteParams.argv(List.of("echo", "a" + i))).started.id());
                    ids.add(b.run(ExecuteParams.shell("echo b" + i + " >&2; exit " + (i % 3))).started.id());
                }
                TestClient.Started one = a.execute(ExecuteParams.argv(List.of("sleep", "30")));
                TestClient.Started two = a.execute(ExecuteParams.argv(List.of("sleep", "30")));
                // Refused: the session's limit, a bad cwd, a program that does not exist, a foreign origin.
                assertThat(TestClient.errorCode(a.call("execute", ExecuteParams.argv(List.of("echo", "x")))))
                        .isEqualTo(-32004);
                assertThat(TestClient.errorCode(b.call("execute", Map.of("argv", List.of("true"), "cwd",
                        "/nonexistent/dir", "env", Map.of("API_KEY", "sekrit"))))).isEqualTo(-32602);
                assertThat(TestClient.errorCode(b.call("execute", ExecuteParams.argv(List.of("/no/such/prog")))))
                        .isEqualTo(-32005);
                assertThatThrownBy(() -> TestClient.connect(server.uri(), Map.of("Origin", "http://evil.example")))
                        .isInstanceOf(CompletionException.class);
                a.call("control", Map.of("type", "CANCEL", "execution_id", one.id()));
                a.notification("process.completed", one.id(), 10_000);
                ids.add(one.id());
                ids.add(two.id());
                stopped = true;
                server.close(); // while `two` runs and both clients are connected
            }
        } finally {
            if (!stopped) {
                server.close();
            }
        }
        List<JsonNode> lines = read(audit);
        List<JsonNode> executions = lines.stream().filter(l -> l.get("event").stringValue().equals("execution"))
                .toList();
        List<JsonNode> refused = lines.stream().filter(l -> l.get("event").stringValue().equals("refused")).toList();
        assertThat(executions).hasSize(ids.size());
        assertThat(executions.stream().map(l -> l.get("execution_id").stringValue()))
                .containsExactlyInAnyOrderElementsOf(ids);
        for (JsonNode l : executions) {
            assertThat(l.propertyNames()).containsAll(EXECUTION_FIELDS);
            assertThat(l.has("command") || l.has("argv")).isTrue();
            assertThat(l.get("remote").stringValue()).startsWith("127.0.0.1:");
        }
        JsonNode echo = byCommand(executions, "echo", "a3");
        assertThat(echo.get("argv").toString()).isEqualTo("[\"echo\",\"a3\"]");
        assertThat(echo.get("reason").stringValue()).isEqualTo("exit");
        assertThat(echo.get("exit_code").intValue()).isZero();
        assertThat(echo.get("bytes_out").longValue()).isEqualTo(3);
        assertThat(echo.get("kind").stringValue()).isEqualTo("command");
        JsonNode shell = executions.stream().filter(l -> l.has("command")
                && l.get("command").stringValue().startsWith("echo b5")).findFirst().orElseThrow();
        assertThat(shell.get("exit_code").intValue()).isEqualTo(2);
        assertThat(shell.get("stderr_bytes").longValue()).isEqualTo(3);
        assertThat(reasonOf(executions, ids.get(ids.size() - 2))).isEqualTo("canceled");
        assertThat(reasonOf(executions, ids.getLast())).isEqualTo("shutdown");

        assertThat(refused).extracting(l -> l.get("rule").stringValue())
                .containsExactlyInAnyOrder("max_processes_per_session", "invalid_params", "spawn_failed", "origin");
        JsonNode limit = refused.stream().filter(l -> l.get("rule").stringValue().equals("max_processes_per_session"))
                .findFirst().orElseThrow();
        assertThat(limit.get("limit").booleanValue()).isTrue();
        assertThat(limit.get("code").intValue()).isEqualTo(-32004);
        assertThat(limit.get("request").get("argv").toString()).isEqualTo("[\"echo\",\"x\"]");
        assertThat(limit.get("session").isString()).isTrue();
        JsonNode badCwd = refused.stream().filter(l -> l.get("rule").stringValue().equals("invalid_params"))
                .findFirst().orElseThrow();
        assertThat(badCwd.get("request").get("env_names").toString()).isEqualTo("[\"API_KEY\"]");
        assertThat(badCwd.toString()).doesNotContain("sekrit");
    }

    @Test
    void nothingIsLostWhenTheServerIsStoppedWithSigterm(@TempDir Path dir) throws Exception {
        Path audit = dir.resolve("audit.log");
        int finished = 40;
        int running = 10;
        try (ServerProcess server = ServerProcess.start(dir.resolve("state"), "--audit-log", audit.toString(),
                "--max-processes-per-session", String.valueOf(running))) {
            try (TestClient c = TestClient.connect(server.uri())) {
                for (int i = 0; i < finished; i++) {
                    c.run(ExecuteParams.argv(List.of("echo", "line" + i)));
                }
                for (int i = 0; i < running; i++) {
                    c.execute(ExecuteParams.argv(List.of("sleep", "30")));
                }
                server.process().destroy(); // SIGTERM: the server ends every group, then stops
                assertThat(server.process().waitFor(20, TimeUnit.SECONDS)).as("server stopped").isTrue();
            }
        }
        List<JsonNode> lines = read(audit);
        assertThat(lines).hasSize(finished + running);
        assertThat(lines.stream().filter(l -> l.get("reason").stringValue().equals("shutdown"))).hasSize(running);
        assertThat(lines.stream().filter(l -> l.get("reason").stringValue().equals("exit"))).hasSize(finished);
    }

    /**
     * A client that reads nothing fills its execution's log and holds its process back by its pipe; at shutdown the
     * group dies with output still unread, so the execution's end never comes on its own. It is still audited.
     */
    @Test
    void anExecutionHeldBackByAClientThatReadsNothingIsAuditedAtShutdown(@TempDir Path dir) throws Exception {
        Path audit = dir.resolve("audit.log");
        TestServer server = TestServer.start(b -> b.auditLog(audit).logMemoryBytes(64 * 1024).logMaxBytes(1 << 20)
                .logTotalBytes(8 << 20));
        String id;
        try (RawClient stuck = RawClient.connect(server.uri(), 4096)) {
            JsonNode started = stuck.response(stuck.send("execute", Map.of("argv", List.of("yes", "flood"))));
            id = started.get("result").get("execution_id").stringValue();
            Groups.saw(started.get("result").get("pgid").longValue());
            Wait.until(10_000, "the log full and the process held back", () -> Prometheus.scrape(
                    server.http("/metrics"), Map.of()).value("ccx_log_disk_bytes") >= 900_000);
            server.close();
        }
        List<JsonNode> lines = read(audit);
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst().get("execution_id").stringValue()).isEqualTo(id);
        assertThat(lines.getFirst().get("reason").stringValue()).isEqualTo("shutdown");
        assertThat(lines.getFirst().get("stdout_bytes").longValue()).isPositive();
    }

    @Test
    void anAuditLogThatCannotBeOpenedStopsTheStartWithTheReason(@TempDir Path dir) throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "not a directory");
        Throwable failure = null;
        try (TestServer ignored = TestServer.start(b -> b.auditLog(blocker.resolve("audit.log")))) {
            // not reached
        } catch (IllegalStateException e) {
            failure = e;
        }
        assertThat(failure).isNotNull();
        assertThat(failure.getCause()).hasMessageContaining("cannot open the audit log")
                .hasMessageContaining(blocker.toString());
    }

    private static List<JsonNode> read(Path audit) throws IOException {
        Wait.until(5_000, "audit log written", () -> Files.exists(audit));
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            out.add(Wire.mapper().readTree(line)); // each line valid JSON on its own
        }
        return out;
    }

    private static JsonNode byCommand(List<JsonNode> executions, String program, String arg) {
        return executions.stream().filter(l -> l.has("argv") && l.get("argv").size() == 2
                && l.get("argv").get(0).stringValue().equals(program) && l.get("argv").get(1).stringValue().equals(arg))
                .findFirst().orElseThrow();
    }

    private static String reasonOf(List<JsonNode> executions, String id) {
        return executions.stream().filter(l -> l.get("execution_id").stringValue().equals(id)).findFirst()
                .orElseThrow().get("reason").stringValue();
    }
}
