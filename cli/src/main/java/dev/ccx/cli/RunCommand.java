// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.Command;
import dev.ccx.client.RunningCommand;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ccx run -- CMD...}: runs one command on a ccx server, streams its stdout and stderr as they arrive, and
 * exits with the command's exit code. {@code --detach} starts a kept execution and returns at once; {@code --keep}
 * follows a kept one through connection losses and detaches on Ctrl-C; {@code -i} sends this process's stdin to the
 * command.
 */
@picocli.CommandLine.Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a command on a ccx server, stream its output live, exit with its exit code.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"N:the command's own exit code", "124:it hit its timeout or idle timeout",
                        "125:ccx failed: server not reachable, request refused, connection lost",
                        "127:the program was not found",
                        "130:it was canceled, its connection closed, it was abandoned, or (--keep) Ctrl-C detached",
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

    @Option(names = "--detach", description = "Start it as a kept execution, print its id and return: it runs on "
            + "without this connection (follow it with ccx attach ID).")
    boolean detach;

    @Option(names = "--keep", description = "Start it as a kept execution and follow it: connection losses are "
            + "ridden out, and Ctrl-C detaches (it runs on) instead of canceling.")
    boolean keep;

    @Option(names = "--linger", description = "With --detach or --keep: seconds it may run with nobody following "
            + "before the server ends it (default: the server's --linger).")
    Double linger;

    @Option(names = {"-i", "--interactive"}, description = "Send this process's stdin (a terminal or a pipe) to the "
            + "command; end of file closes the command's stdin. With --detach: give it a stdin pipe for ccx send.")
    boolean interactive;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    RunCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        Command what = command.toCommand().cwd(exec.directory()).env(exec.env);
        if (timeout != null) {
            what = what.timeout(ExecOptions.seconds(timeout));
        }
        if (linger != null && !detach && !keep) {
            throw new IllegalArgumentException("--linger needs --detach or --keep");
        }
        if (detach || keep) {
            what = what.keep(linger == null ? null : ExecOptions.seconds(linger));
        }
        if (interactive) {
            what = what.stdin();
        }
        OutputPrinter printer = new OutputPrinter("ccx run", out, err, json);
        // Failures to connect or start (unreachable server, program not found) are mapped in Ccx.failed.
        try (CcxClient client = server.connect()) {
            RunningCommand running = client.execute(what, detach ? null : printer);
            if (interactive && !detach) {
                StdinPump.start(in, running, err);
            }
            if (detach) {
                out.println(running.executionId());
                err.println("ccx run: started execution " + running.executionId() + " (pid " + running.pid()
                        + "); it runs on without this connection. Follow it: ccx attach " + running.executionId()
                        + " · list: ccx ps · stop it: ccx cancel " + running.executionId());
                return ExitCodes.OK;
            }
            Runnable onSignal = keep ? () -> Detach.quietly(running, err, "ccx run") : client::close;
            return Graceful.run(onSignal, () -> Follow.toEnd(running, printer));
        }
    }
}
