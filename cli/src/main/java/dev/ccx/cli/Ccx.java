// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.server.ServeCommand;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import dev.ccx.client.CcxException;
import dev.ccx.client.ConnectFailedException;
import dev.ccx.client.RequestFailedException;
import dev.ccx.protocol.ErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ccx} command: one entry point, one subcommand per task. */
@Command(name = "ccx", mixinStandardHelpOptions = true, versionProvider = Ccx.Version.class,
        description = "Run commands, above all Claude Code, as supervised processes over WebSocket.",
        subcommands = {ServeCommand.class})
public final class Ccx implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** The command line with every subcommand, reading {@code in} and writing to {@code out} and {@code err}. */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Ccx()).addSubcommand(new RunCommand(in, out, err))
                .addSubcommand(new ClaudeRunCommand(in, out, err))
                .addSubcommand(new BatchCommand(in, out, err))
                .addSubcommand(new TasksCommand(in, out, err))
                .addSubcommand(new EstimateCommand(out))
                .addSubcommand(new HistoryCommand(out))
                .addSubcommand(new HealthCommand(out, err))
                .addSubcommand(new PsCommand(out))
                .addSubcommand(new AttachCommand(out, err))
                .addSubcommand(new LogsCommand(out, err))
                .addSubcommand(new SendCommand(in, out))
                .addSubcommand(new CancelCommand(out));
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler(Ccx::failed);
        return cl;
    }

    /**
     * The one place where a subcommand's exception becomes a message and an exit code: a bad value found after
     * parsing (a schema file that is not JSON) is a usage error; a server that cannot be reached gets its URL and how
     * to start one; a program the server cannot start is "not found"; anything else is a ccx failure.
     */
    private static int failed(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        String name = "ccx " + cl.getCommandName();
        PrintWriter err = cl.getErr();
        switch (e) {
            case IllegalArgumentException bad -> {
                err.println(name + ": " + bad.getMessage());
                return ExitCodes.USAGE;
            }
            case ConnectFailedException down when cl.getCommandSpec().mixins().get("server") != null -> {
                ServerOptions server = (ServerOptions) cl.getCommandSpec().mixins().get("server").userObject();
                err.println(server.unreachable(cl.getCommandName(), down));
                return ExitCodes.CCX_FAILED;
            }
            case RequestFailedException refused when refused.errorCode() == ErrorCode.SPAWN_FAILED -> {
                err.println(name + ": " + refused.getMessage());
                return ExitCodes.NOT_FOUND;
            }
            case CcxException failed -> {
                err.println(name + ": " + failed.getMessage());
                return ExitCodes.CCX_FAILED;
            }
            default -> {
                err.println(name + ": " + e);
                return ExitCodes.CCX_FAILED;
            }
        }
    }

    /** Runs the CLI and exits with the subcommand's code. */
    public static void main(String[] args) {
        System.exit(commandLine(System.in, System.out, System.err).execute(args));
    }

    /** Reports the version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ccx " + dev.ccx.server.ExecServer.VERSION};
        }
    }
}
