// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.HistoryResult;
import dev.ccx.protocol.StatsResult;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code ccx history [-- CMD...]}: the recorded runs of a command's task key (server method {@code history}), or,
 * without a command, statistics per task key (server method {@code stats}).
 */
@picocli.CommandLine.Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Show the recorded runs of a command's task, newest first.",
                       "Without a command, show statistics per task, most recently run first."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the runs or statistics were printed (also when none are recorded)",
                        "125:ccx failed: server not reachable or request refused"})
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    /** Optional as a whole; once given, it needs its words, so {@code --shell} alone is refused. */
    @ArgGroup(exclusive = false, multiplicity = "0..1")
    CommandArgs command;

    @Option(names = "--limit", paramLabel = "N",
            description = "With a command: show at most N runs (the server's default is 20, its maximum 100).")
    Integer limit;

    @Option(names = "--category", paramLabel = "C",
            description = "Without a command: only tasks of category C (for example cmd or claude).")
    String category;

    @Option(names = "--json", description = "Print the server's result as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final PrintStream out;

    HistoryCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        checkOptions();
        try (CcxClient client = server.connect()) {
            JsonNode result = client.request(command != null ? Methods.HISTORY : Methods.STATS, params(),
                    JsonNode.class);
            out.print(json ? Wire.mapper().writeValueAsString(result) + "\n" : text(result));
            return ExitCodes.OK;
        }
    }

    /** Options that belong to the other mode are refused rather than ignored. */
    private void checkOptions() {
        if (command != null && category != null) {
            throw new ParameterException(spec.commandLine(),
                    "--category filters the statistics; leave it out when naming a command");
        }
        if (command == null && limit != null) {
            throw new ParameterException(spec.commandLine(), "--limit counts a command's runs; name a command");
        }
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
    }

    private Map<String, Object> params() {
        if (command == null) {
            return category == null ? Map.of() : Map.of("category", category);
        }
        Map<String, Object> params = new LinkedHashMap<>(command.toCommand().keyParams());
        if (limit != null) {
            params.put("limit", limit);
        }
        return params;
    }

    private String text(JsonNode result) {
        ZoneId zone = ZoneId.systemDefault();
        if (command == null) {
            StatsResult s = Wire.mapper().treeToValue(result, StatsResult.class);
            return HealthHistoryText.stats(s.store(), s.degraded(), s.tasks(), category, zone);
        }
        HistoryResult h = Wire.mapper().treeToValue(result, HistoryResult.class);
        return HealthHistoryText.history(h.category() + ":" + h.name(), h.runs(), zone);
    }
}
