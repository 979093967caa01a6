// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ccx run} and {@code ccx estimate} against a real server: live output, exit codes, clear errors. */
@ExtendWith(Groups.class)
class ClientCommandsIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int ccx(String... args) {
        return Ccx.commandLine(java.io.InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    @Test
    void streamsBothStreamsApartAndExitsWithTheCommandsCode() {
        int code = ccx("run", "--url", server.uri().toString(), "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(code).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("out\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("err\n");
    }

    @Test
    void jsonModePrintsLinesAndTheResult() {
        int code = ccx("run", "--json", "--shell", "--url", server.uri().toString(), "--", "echo", "hi");
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("{\"type\":\"stdout\",\"line\":\"hi\"}", "\"type\":\"result\"", "\"exit_code\":0");
    }

    @Test
    void timeoutAndMissingProgramHaveTheirOwnExitCodes() {
        assertThat(ccx("run", "--timeout", "0.3", "--url", server.uri().toString(), "--", "sleep", "30"))
                .isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(ccx("run", "--url", server.uri().toString(), "--", "no-such-program-xyz"))
                .isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no-such-program-xyz");
    }

    @Test
    void unreachableServerSaysWhereAndHowToStartOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int code = ccx("run", "--url", "ws://127.0.0.1:" + port + "/ws/mcp", "--", "true");
        assertThat(code).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ws://127.0.0.1:" + port, "./ccx serve");
    }

    @Test
    void estimateNamesTheTaskAndWhereTheTimeoutComesFrom() {
        int code = ccx("estimate", "--url", server.uri().toString(), "--", "git", "status");
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("task cmd:git_status: timeout ")
                .contains("default");
        out.reset();
        assertThat(ccx("estimate", "--json", "--url", server.uri().toString(), "--", "sleep", "5")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"category\":\"cmd\"", "\"name\":\"sleep\"");
    }
}
