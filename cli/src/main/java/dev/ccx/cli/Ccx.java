// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.server.ServeCommand;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
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
        CommandLine cl = new CommandLine(new Ccx()).addSubcommand(new RunCommand(out, err))
                .addSubcommand(new ClaudeRunCommand(in, out, err))
                .addSubcommand(new BatchCommand(out, err))
                .addSubcommand(new TasksCommand(out, err))
                .addSubcommand(new EstimateCommand(out, err))
                .addSubcommand(new HistoryCommand(out, err))
                .addSubcommand(new HealthCommand(out, err));
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler(Ccx::failed);
        return cl;
    }

    /**
     * The one place where a subcommand's exception becomes an exit code: a bad value found after parsing (a schema
     * file that is not JSON, a bad task file) is a usage error with its message, anything else a ccx failure.
     */
    private static int failed(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        String name = "ccx " + cl.getCommandName();
        if (e instanceof IllegalArgumentException) {
            cl.getErr().println(name + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        cl.getErr().println(name + ": " + e);
        return ExitCodes.CCX_FAILED;
    }

    /** Runs the CLI and exits with the subcommand's code. */
    public static void main(String[] args) {
        System.exit(commandLine(System.in, System.out, System.err).execute(args));
    }

    /** HealthHistoryText the version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ccx " + dev.ccx.server.ExecServer.VERSION};
        }
    }
}
