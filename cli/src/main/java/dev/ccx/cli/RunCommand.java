// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.Command;
import dev.ccx.client.CommandResult;
import dev.ccx.client.RunningCommand;
import dev.ccx.client.Stream;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ccx run -- CMD...}: runs one command on a ccx server, streams its stdout and stderr as they arrive, and
 * exits with the command's exit code.
 */
@picocli.CommandLine.Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a command on a ccx server, stream its output live, exit with its exit code.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"N:the command's own exit code", "124:it hit its timeout or idle timeout",
                        "125:ccx failed: server not reachable, request refused, connection lost",
                        "127:the program was not found", "130:it was canceled or its connection closed",
                        "143:the server shut down"})
final class RunCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    @Option(names = "--timeout", description = "Deadline in seconds; without it the server predicts one.")
    Double timeout;

    @Mixin
    CommandArgs command;

    @Mixin
    ExecOptions exec;

    @Option(names = "--json", description = "Print one JSON object per output line, then the result, for machines.")
    boolean json;

    private final PrintStream out;
    private final PrintStream err;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        Command what = command.toCommand().cwd(exec.directory()).env(exec.env);
        if (timeout != null) {
            what = what.timeout(ExecOptions.seconds(timeout));
        }
        // Failures to connect or start (unreachable server, program not found) are mapped in Ccx.failed.
        try (CcxClient client = server.connect()) {
            RunningCommand running = client.execute(what, this::print);
            return Graceful.run(client::close, () -> finish(running.await()));
        }
    }

    private synchronized void print(Stream stream, String line) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", stream == Stream.STDOUT ? "stdout" : "stderr");
            m.put("line", line);
            out.println(Wire.mapper().writeValueAsString(m));
        } else {
            (stream == Stream.STDOUT ? out : err).println(line);
        }
    }

    private int finish(CommandResult r) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "result");
            m.put("status", r.status());
            m.put("exit_code", r.exitCode());
            m.put("reason", r.reason() == null ? null : r.reason().wire());
            m.put("duration", r.duration().toMillis() / 1000.0);
            m.put("timeout", r.timeoutUsed() == null ? null : r.timeoutUsed().toMillis() / 1000.0);
            m.put("timeout_source", r.timeoutSource());
            out.println(Wire.mapper().writeValueAsString(m));
        } else if (r.reason() != EndReason.EXIT) {
            err.println("ccx run: " + (r.error() != null ? r.error() : "ended: " + r.reason()));
        }
        out.flush();
        if (r.reason() == null) {
            return ExitCodes.CCX_FAILED;
        }
        return switch (r.reason()) {
            case EXIT -> r.exitCode() == null ? ExitCodes.CCX_FAILED : r.exitCode();
            case TIMEOUT, IDLE_TIMEOUT -> ExitCodes.TIMED_OUT;
            case CANCELED, DISCONNECT -> ExitCodes.CANCELED;
            case SHUTDOWN -> ExitCodes.SHUTDOWN;
            case ERROR -> ExitCodes.CCX_FAILED;
        };
    }
}
