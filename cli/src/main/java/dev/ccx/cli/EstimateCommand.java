// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.Command;
import dev.ccx.protocol.TaskEstimate;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ccx estimate -- CMD...}: the timeout the server would give a command, and why, without running it. */
@picocli.CommandLine.Command(name = "estimate", mixinStandardHelpOptions = true,
        description = "Show the timeout the server would predict for a command, without running it.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the estimate was printed", "125:ccx failed: server not reachable or request refused"})
final class EstimateCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Mixin
    CommandArgs command;

    @Option(names = "--json", description = "Print the estimate as JSON.")
    boolean json;

    private final PrintStream out;

    EstimateCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Command what = command.toCommand();
        try (CcxClient client = server.connect()) {
            TaskEstimate e = client.estimate(what);
            if (json) {
                out.println(Wire.mapper().writeValueAsString(e));
            } else {
                out.printf("task %s:%s: timeout %.1fs (%s, %d runs%s%s)%n", e.category(), e.name(), e.timeout(),
                        e.source(), e.samples(),
                        e.expectedDuration() == null ? "" : String.format(", typically %.1fs", e.expectedDuration()),
                        e.loadFactor() > 1 ? String.format(", x%.2f for load", e.loadFactor()) : "");
            }
            return ExitCodes.OK;
        }
    }
}
