// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.Prometheus;
import dev.ccx.server.testing.RawHttp;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code /metrics}, read by the reference parser: the counts match what ran, no label names an execution. */
@ExtendWith(Groups.class)
class MetricsIT {
    private static final Pattern EXECUTION_ID = Pattern.compile("[0-9a-f]{32}");

    /** A stand-in for Claude Code that prints what the real one does about a model, a retry and two turns. */
    private static final String FAKE_CLAUDE = """
            #!/bin/sh
            echo '{"type":"system","subtype":"init","model":"claude-test-model","session_id":"s1"}'
            echo '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":1,"error_status":429,"error":"rate_limit"}'
            echo '{"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,"retry_delay_ms":1,"error_status":529,"error":"overloaded"}'
            echo '{"type":"result","subtype":"success","is_error":false,"result":"a","total_cost_usd":0.25,"usage":{"input_tokens":100,"output_tokens":20,"cache_read_input_tokens":5,"cache_creation_input_tokens":0}}'
            echo '{"type":"result","subtype":"success","is_error":false,"result":"b","total_cost_usd":0.75,"usage":{"input_tokens":50,"output_tokens":10}}'
            """;

    @Test
    void countsMatchTheExecutionsRunAndNoLabelNamesOne(@TempDir Path dir) throws IOException {
        Path claude = dir.resolve("claude");
        Files.writeString(claude, FAKE_CLAUDE);
        Files.setPosixFilePermissions(claude, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> ids = new ArrayList<>();
        try (TestServer server = TestServer.start(); TestClient c = server.connect()) {
            for (List<String> argv : List.of(List.of("echo", "a"), List.of("echo", "b"),
                    List.of("sh", "-c", "exit 3"))) {
                TestClient.Run run = c.run(ExecuteParams.argv(argv));
                ids.add(run.started.id());
            }
            TestClient.Run timedOut = c.run(new ExecuteParams(null, List.of("sleep", "30"), 0.3, null, null, null));
            assertThat(timedOut.reason()).isEqualTo("timeout");
            ids.add(timedOut.started.id());

            TestClient.Started sleeper = c.execute(ExecuteParams.argv(List.of("sleep", "30")));
            ids.add(sleeper.id());
            JsonNode refused = c.call("execute", ExecuteParams.argv(List.of("echo", "no room")));
            assertThat(TestClient.errorCode(refused)).isEqualTo(-32004);
            assertThat(c.call("control", Map.of("type", "CANCEL", "execution_id", sleeper.id())).has("result"))
                    .isTrue();
            assertThat(TestClient.text(c.notification("process.completed", sleeper.id(), 10_000).get("params"),
                    "reason")).isEqualTo("canceled");

            TestClient.Run claudeRun = c.run(ExecuteParams.argv(List.of(claude.toString(), "-p", "hello")));
            assertThat(claudeRun.exitCode()).isZero();
            ids.add(claudeRun.started.id());

            Prometheus m = Prometheus.scrape(server.http("/metrics"), Map.of());
            assertThat(m.value("ccx_executions_started_total", "kind", "command")).isEqualTo(5);
            assertThat(m.value("ccx_executions_started_total", "kind", "claude")).isEqualTo(1);
            assertThat(m.value("ccx_executions_finished_total", "reason", "exit", "kind", "command")).isEqualTo(3);
            assertThat(m.value("ccx_executions_finished_total", "reason", "timeout", "kind", "command")).isEqualTo(1);
            assertThat(m.value("ccx_executions_finished_total", "reason", "canceled", "kind", "command"))
                    .isEqualTo(1);
            assertThat(m.value("ccx_executions_finished_total", "reason", "exit", "kind", "claude")).isEqualTo(1);
            assertThat(m.sum("ccx_executions_finished_total")).isEqualTo(6);
            assertThat(m.value("ccx_executions_running")).isZero();
            assertThat(m.value("ccx_execution_duration_seconds_count", "kind", "command")).isEqualTo(5);
            assertThat(m.value("ccx_execution_duration_seconds_count", "kind", "claude")).isEqualTo(1);
            assertThat(m.value("ccx_spawn_latency_seconds_count")).isEqualTo(6);
            // echo a, echo b, and the five lines of the fake Claude Code
            assertThat(m.value("ccx_output_lines_total", "stream", "stdout")).isEqualTo(7);
            assertThat(m.value("ccx_output_bytes_total", "stream", "stdout"))
                    .isEqualTo(4 + FAKE_CLAUDE.lines().skip(1).mapToInt(l -> l.length() - "echo ''".length() + 1)
                            .sum());
            assertThat(m.value("ccx_limit_refusals_total", "limit", "max_processes_per_session")).isEqualTo(1);
            assertThat(m.sum("ccx_limit_refusals_total")).isEqualTo(1);
            assertThat(m.value("ccx_signals_sent_total", "signal", "TERM")).isGreaterThanOrEqualTo(2);
            assertThat(m.value("ccx_sessions")).isEqualTo(1);
            assertThat(m.value("ccx_leftover_groups_ended_total")).isZero();
            assertThat(m.value("ccx_timing_store_degraded")).isZero();

            assertThat(m.value("ccx_claude_cost_usd_total")).isEqualTo(0.75);
            assertThat(m.value("ccx_claude_turns_total")).isEqualTo(2);
            assertThat(m.value("ccx_claude_rate_limit_retries_total")).isEqualTo(1);
            assertThat(m.value("ccx_claude_tokens_total", "model", "claude-test-model", "type", "input"))
                    .isEqualTo(150);
            assertThat(m.value("ccx_claude_tokens_total", "model", "claude-test-model", "type", "output"))
                    .isEqualTo(30);
            assertThat(m.value("ccx_claude_tokens_total", "model", "claude-test-model", "type", "cache_read"))
                    .isEqualTo(5);

            // The same numbers through the protocol, for the dashboard.
            JsonNode usage = c.call("usage", Map.of()).get("result");
            assertThat(usage.get("cost_usd").asDouble()).isEqualTo(0.75);
            assertThat(usage.get("turns").asLong()).isEqualTo(2);
            assertThat(usage.get("rate_limit_retries").asLong()).isEqualTo(1);
            assertThat(usage.get("tokens").get(0).get("count").asLong()).isEqualTo(150);

            for (String family : List.of("ccx_followers", "ccx_log_memory_bytes", "ccx_log_disk_bytes",
                    "ccx_timing_store_fallbacks", "jvm_memory_used_bytes", "jvm_threads_current",
                    "process_cpu_seconds", "process_open_fds")) {
                assertThat(m.hasFamily(family)).as(family).isTrue();
            }
            for (Prometheus.Sample s : m.samples()) {
                assertThat(s.labels().keySet()).as(s.name()).doesNotContain("execution_id", "id", "pid");
                for (String v : s.labels().values()) {
                    assertThat(ids).as(s.name()).doesNotContain(v);
                    assertThat(EXECUTION_ID.matcher(v).find()).as(s.name() + " " + v).isFalse();
                }
            }
        }
    }

    @Test
    void signalsAndEveryLimitAreCountedAndOpenMetricsIsServed() {
        try (TestServer server = TestServer.start(b -> b.maxProcesses(1).maxSessions(2));
             TestClient a = server.connect(); TestClient b = server.connect()) {
            // The shell ignores SIGTERM, so the end needs the SIGKILL after the grace period.
            TestClient.Started stubborn = a.execute(ExecuteParams.shell("trap '' TERM; echo up; sleep 30 & wait"));
            a.notification("process.output", stubborn.id(), 10_000);
            assertThat(TestClient.errorCode(b.call("execute", ExecuteParams.argv(List.of("true"))))).isEqualTo(-32004);
            try (TestClient third = server.connect()) {
                assertThat(TestClient.errorCode(third.next())).isEqualTo(-32003);
            }
            for (String type : List.of("PAUSE", "RESUME", "CANCEL")) {
                assertThat(a.call("control", Map.of("type", type, "execution_id", stubborn.id())).has("result"))
                        .isTrue();
            }
            assertThat(TestClient.text(a.notification("process.completed", stubborn.id(), 10_000).get("params"),
                    "reason")).isEqualTo("canceled");

            Prometheus m = Prometheus.scrape(server.http("/metrics"), Map.of());
            assertThat(m.value("ccx_limit_refusals_total", "limit", "max_processes")).isEqualTo(1);
            assertThat(m.value("ccx_limit_refusals_total", "limit", "max_sessions")).isEqualTo(1);
            assertThat(m.value("ccx_signals_sent_total", "signal", "STOP")).isEqualTo(1);
            assertThat(m.value("ccx_signals_sent_total", "signal", "CONT")).isGreaterThanOrEqualTo(2);
            assertThat(m.value("ccx_signals_sent_total", "signal", "TERM")).isEqualTo(1);
            assertThat(m.value("ccx_signals_sent_total", "signal", "KILL")).isEqualTo(1);

            var open = Prometheus.get(server.http("/metrics"),
                    Map.of("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8"));
            assertThat(open.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/openmetrics-text"));
            assertThat(open.body()).contains("ccx_executions_started_total{kind=\"command\"} 1.0").endsWith("# EOF\n");
        }
    }

    /** Without a token, a page on another site that rebinds its name to 127.0.0.1 cannot read the metrics. */
    @Test
    void withoutATokenMetricsAnswerOnlyRequestsThatNameTheServerByAddress() throws IOException {
        try (TestServer server = TestServer.start()) {
            int port = server.server().port();
            assertThat(statusLine(port, "127.0.0.1:" + port)).contains(" 200");
            assertThat(statusLine(port, "localhost:" + port)).contains(" 200");
            assertThat(statusLine(port, "evil.example:" + port)).contains(" 403");
        }
        try (TestServer server = TestServer.start(b -> b.token("s3cret"))) {
            int port = server.server().port();
            assertThat(statusLine(port, "ccx.internal:" + port)).contains(" 401"); // by name, with the token rule
        }
    }

    private static String statusLine(int port, String host) throws IOException {
        return RawHttp.statusLine(port, "/metrics", host, Map.of("Connection", "close"));
    }

    @Test
    void theTokenProtectsMetricsLikeTheWebSocket() {
        try (TestServer server = TestServer.start(b -> b.token("s3cret"))) {
            var uri = server.http("/metrics");
            assertThat(Prometheus.get(uri, Map.of()).statusCode()).isEqualTo(401);
            assertThat(Prometheus.get(uri, Map.of("Authorization", "Bearer wrong")).statusCode()).isEqualTo(401);
            var unauthorized = Prometheus.get(uri, Map.of());
            assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(unauthorized.body()).doesNotContain("ccx_executions");
            assertThat(Prometheus.scrape(uri, Map.of("Authorization", "Bearer s3cret"))
                    .hasFamily("ccx_executions_started")).isTrue();
            assertThat(Prometheus.scrape(server.http("/metrics?token=s3cret"), Map.of())
                    .hasFamily("ccx_executions_running")).isTrue();
        }
    }
}
