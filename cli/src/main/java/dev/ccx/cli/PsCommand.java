// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ccx ps}: the executions this token may see, running ones first, then those that ended recently. */
@picocli.CommandLine.Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the executions this token may see: running ones, then ended ones still retained.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed", "125:ccx failed: server not reachable"})
final class PsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Mixin
    ServerOptions server;

    @Option(names = "--json", description = "Print the server's answer as JSON.")
    boolean json;

    private final PrintStream out;

    PsCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        List<ExecutionList.ExecutionInfo> all;
        try (CcxClient client = server.connect()) {
            all = client.executions();
        }
        if (json) {
            out.println(Wire.mapper().writeValueAsString(new ExecutionList(all)));
            return ExitCodes.OK;
        }
        out.printf("%-32s  %-9s  %7s  %-4s  %3s  %8s  %-16s  %s%n", "ID", "STATUS", "PID", "MODE", "FOL", "STARTED",
                "END", "COMMAND");
        for (ExecutionList.ExecutionInfo e : all) {
            String end = e.reason() == null ? "" : e.reason().wire() + (e.exitCode() == null || e.exitCode() < 0 ? ""
                    : " " + e.exitCode());
            out.printf("%-32s  %-9s  %7d  %-4s  %3d  %8s  %-16s  %s%n", e.executionId(), e.status(), e.pid(),
                    e.onDisconnect() == null ? "" : e.onDisconnect().wire(), e.followers(),
                    TIME.format(Instant.ofEpochMilli((long) (e.startedAt() * 1000))), end, e.command());
        }
        return ExitCodes.OK;
    }
}
