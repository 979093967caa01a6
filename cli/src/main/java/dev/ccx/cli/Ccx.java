// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.server.ServeCommand;
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

    /** The command line with every subcommand, writing to {@code out} and {@code err}. */
    static CommandLine commandLine(java.io.PrintStream out, java.io.PrintStream err) {
        return new CommandLine(new Ccx()).addSubcommand(new RunCommand(out, err))
                .addSubcommand(new EstimateCommand(out, err)).addSubcommand(new HealthCommand(out, err))
                .addSubcommand(new HistoryCommand(out, err));
    }

    /** Runs the CLI and exits with the subcommand's code. */
    public static void main(String[] args) {
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /** Reports the version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ccx " + dev.ccx.server.ExecServer.VERSION};
        }
    }
}
