// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kept executions from the command line: started detached, listed, written to, followed from another "terminal",
 * replayed, canceled.
 */
@ExtendWith(Groups.class)
class KeptCommandsIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.maxProcessesPerSession(4));

    private final CliCapture cli = new CliCapture();

    private String url() {
        return server.uri().toString();
    }

    @Test
    void detachedRunIsListedFedFollowedAndReplayed() {
        assertThat(cli.run("run", "--detach", "-i", "--url", url(), "--", "sh", "-c",
                "echo ready; read name; echo hello $name; exit 4")).isZero();
        String id = cli.out().strip();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(cli.err()).contains("ccx attach " + id);

        cli.reset();
        assertThat(cli.run("ps", "--url", url())).isZero();
        assertThat(cli.out()).contains(id, "running", "keep");

        cli.reset();
        assertThat(cli.run("send", "--url", url(), id, "world")).isZero();
        assertThat(cli.out()).contains("6 bytes sent to " + id);

        cli.reset();
        assertThat(cli.run("attach", "--url", url(), id)).as(cli.err()).isEqualTo(4);
        assertThat(cli.out()).isEqualTo("ready\nhello world\n");

        cli.reset();
        assertThat(cli.run("logs", "--url", url(), id)).isZero();
        assertThat(cli.out()).isEqualTo("ready\nhello world\n");

        cli.reset();
        assertThat(cli.run("attach", "--url", url(), "--from-seq", "2", id)).isEqualTo(4);
        assertThat(cli.out()).as("after seq 2 (started, ready)").isEqualTo("hello world\n");
    }

    @Test
    void logsOfARunningExecutionPrintsWhatIsThereAndReturns() {
        assertThat(cli.run("run", "--detach", "--url", url(), "--", "sh", "-c", "echo one; echo two; sleep 30"))
                .isZero();
        String id = cli.out().strip();
        dev.ccx.server.testing.Wait.until(10_000, "two lines", () -> {
            CliCapture logs = new CliCapture();
            return logs.run("logs", "--url", url(), id) == 0 && logs.out().equals("one\ntwo\n");
        });
        cli.reset();
        assertThat(cli.run("cancel", "--url", url(), id)).isZero();
        assertThat(cli.out()).isEqualTo("canceled " + id + "\n");
        cli.reset();
        assertThat(cli.run("attach", "--url", url(), id)).isEqualTo(ExitCodes.CANCELED);
        assertThat(cli.out()).isEqualTo("one\ntwo\n");
    }

    @Test
    void interactiveRunSendsAPipeToTheCommand() {
        ByteArrayInputStream in = new ByteArrayInputStream("b\na\nc\n".getBytes(StandardCharsets.UTF_8));
        assertThat(cli.run(in, "run", "-i", "--url", url(), "--", "sort")).isZero();
        assertThat(cli.out()).isEqualTo("a\nb\nc\n");
    }

    @Test
    void unknownIdsGetTheServersError() {
        assertThat(cli.run("attach", "--url", url(), "0123456789abcdef0123456789abcdef"))
                .isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains("No execution 0123456789abcdef0123456789abcdef");
        cli.reset();
        assertThat(cli.run("cancel", "--url", url(), "nope")).isEqualTo(ExitCodes.CCX_FAILED);
        cli.reset();
        assertThat(cli.run("attach", "--url", url(), "--from-seq", "-1", "x")).isEqualTo(ExitCodes.USAGE);
    }
}
