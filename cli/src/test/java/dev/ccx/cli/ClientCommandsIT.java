// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ccx run} and {@code ccx estimate} against a real server: live output, exit codes, clear errors. */
@ExtendWith(Groups.class)
class ClientCommandsIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    private final CliCapture cli = new CliCapture();

    @Test
    void streamsBothStreamsApartAndExitsWithTheCommandsCode() {
        int code = cli.run("run", "--url", server.uri().toString(), "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(code).isEqualTo(3);
        assertThat(cli.out()).isEqualTo("out\n");
        assertThat(cli.err()).isEqualTo("err\n");
    }

    @Test
    void jsonModePrintsLinesAndTheResult() {
        int code = cli.run("run", "--json", "--shell", "--url", server.uri().toString(), "--", "echo", "hi");
        assertThat(code).isZero();
        assertThat(cli.out())
                .contains("{\"type\":\"stdout\",\"line\":\"hi\"}", "\"type\":\"result\"", "\"exit_code\":0");
    }

    @Test
    void timeoutAndMissingProgramHaveTheirOwnExitCodes() {
        assertThat(cli.run("run", "--timeout", "0.3", "--url", server.uri().toString(), "--", "sleep", "30"))
                .isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(cli.run("run", "--url", server.uri().toString(), "--", "no-such-program-xyz"))
                .isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(cli.err()).contains("no-such-program-xyz");
    }

    @Test
    void unreachableServerSaysWhereAndHowToStartOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int code = cli.run("run", "--url", "ws://127.0.0.1:" + port + "/ws/mcp", "--", "true");
        assertThat(code).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains("ws://127.0.0.1:" + port, "./ccx serve");
    }

    @Test
    void estimateNamesTheTaskAndWhereTheTimeoutComesFrom() {
        int code = cli.run("estimate", "--url", server.uri().toString(), "--", "git", "status");
        assertThat(code).isZero();
        assertThat(cli.out()).startsWith("task cmd:git_status: timeout ")
                .contains("default");
        cli.reset();
        assertThat(cli.run("estimate", "--json", "--url", server.uri().toString(), "--", "sleep", "5")).isZero();
        assertThat(cli.out()).contains("\"category\":\"cmd\"", "\"name\":\"sleep\"");
    }
}
