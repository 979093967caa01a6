// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.CcxClient;
import dev.ccx.client.Command;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.Wire;
import dev.ccx.server.ExecServer;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * {@code ccx health} and {@code ccx history} against a real server on port 0 (embedded timing store in its own
 * state directory, so no Redis key is touched): summaries, tables, JSON and exit codes.
 */
@ExtendWith(Groups.class)
class HealthHistoryIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    private final CliCapture cli = new CliCapture();

    @Test
    void healthSummarisesTheServer() {
        assertThat(cli.run("health", "--url", server.uri().toString())).isZero();
        assertThat(cli.out()).startsWith("ccx " + ExecServer.VERSION + " at " + server.http("/health"))
                .contains("status     healthy", "sessions   0 of ", "timing     embedded\n");
    }

    @Test
    void healthJsonIsTheServersDocumentOnOneLine() {
        assertThat(cli.run("health", "--json", "--url", server.uri().toString())).isZero();
        assertThat(cli.out()).endsWith("\n").hasLineCount(1);
        JsonNode health = Wire.mapper().readTree(cli.out());
        assertThat(health.get("status").stringValue()).isEqualTo("healthy");
        assertThat(health.get("timing_degraded").booleanValue()).isFalse();
    }

    @Test
    void degradedTimingStoreIsUnhealthy() throws Exception {
        String noRedis = "redis://127.0.0.1:" + closedPort();
        try (TestServer degraded = TestServer.start(b -> b.redisUrl(noRedis))) {
            assertThat(cli.run("health", "--url", degraded.uri().toString())).isEqualTo(ExitCodes.FAILED);
        }
        assertThat(cli.out()).contains("timing     embedded (degraded");
        assertThat(cli.err()).contains("not healthy", "Redis");
    }

    @Test
    void closedPortSaysWhereAndHowToStartAServer() throws Exception {
        int port = closedPort();
        String url = "ws://127.0.0.1:" + port + "/ws/mcp";
        assertThat(cli.run("health", "--timeout", "2", "--url", url)).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.run("history", "--url", url)).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err()).contains("ccx health: cannot reach a ccx server at " + url
                + ": GET http://127.0.0.1:" + port + "/health failed: could not connect",
                "ccx history: cannot reach a ccx server at " + url, "./ccx serve");
    }

    @Test
    void historyShowsARunRecordedThroughTheClient() {
        record("echo", "recorded");
        assertThat(cli.run("history", "--url", server.uri().toString(), "--", "echo", "other", "words")).isZero();
        assertThat(cli.out()).startsWith("cmd:echo: 1 run, newest first\nENDED").contains(" exit ");
        cli.reset();
        assertThat(cli.run("history", "--json", "--limit", "5", "--shell", "--url", server.uri().toString(), "--",
                "echo hi")).isZero();
        JsonNode history = Wire.mapper().readTree(cli.out());
        assertThat(history.get("name").stringValue()).isEqualTo("echo");
        assertThat(history.get("runs").get(0).get("exit_code").intValue()).isZero();
    }

    @Test
    void statsListTheTaskKeys() {
        record("true");
        assertThat(cli.run("history", "--url", server.uri().toString())).isZero();
        assertThat(cli.out()).startsWith("timing store: embedded\nTASK").contains("\ncmd:true ");
        cli.reset();
        assertThat(cli.run("history", "--json", "--category", "cmd", "--url", server.uri().toString())).isZero();
        JsonNode stats = Wire.mapper().readTree(cli.out());
        assertThat(stats.get("tasks").findValuesAsString("name")).contains("true");
    }

    @Test
    void unknownCommandHasNoRunsAndThatIsNotAnError() {
        assertThat(cli.run("history", "--url", server.uri().toString(), "--", "no-such-tool-xyz")).isZero();
        assertThat(cli.out()).isEqualTo("no runs recorded for cmd:no-such-tool-xyz\n");
    }

    /** Runs {@code argv} through the client and waits (bounded) until the server has recorded it. */
    private static void record(String... argv) {
        try (CcxClient client = CcxClient.connect(server.uri())) {
            assertThat(client.run(Command.argv(argv), Duration.ofSeconds(10)).exitCode()).isZero();
            // Runs are stored in the background after process.completed, so there is no event to wait on.
            Wait.until(5_000, "a recorded run of " + argv[0], () -> !client.request(Methods.HISTORY,
                    Map.of("argv", List.of(argv)), JsonNode.class).get("runs").isEmpty());
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
