// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CommandResult;
import dev.ccx.client.OutputListener;
import dev.ccx.client.Stream;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints an execution's output as {@code run}, {@code attach} and {@code logs} show it: stdout lines on stdout and
 * stderr lines on stderr, or with {@code --json} one JSON object per line and one for the result.
 */
final class OutputPrinter implements OutputListener {
    private final String command;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;

    OutputPrinter(String command, PrintStream out, PrintStream err, boolean json) {
        this.command = command;
        this.out = out;
        this.err = err;
        this.json = json;
    }

    @Override
    public synchronized void line(Stream stream, String line) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", stream == Stream.STDOUT ? "stdout" : "stderr");
            m.put("line", line);
            out.println(Wire.mapper().writeValueAsString(m));
        } else {
            (stream == Stream.STDOUT ? out : err).println(line);
        }
    }

    /** Prints how it ended (the JSON result, or a line on stderr when it did not exit on its own); its exit code. */
    synchronized int finish(CommandResult r) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "result");
            m.put("execution_id", r.executionId());
            m.put("status", r.status());
            m.put("exit_code", r.exitCode());
            m.put("reason", r.reason() == null ? null : r.reason().wire());
            m.put("duration", r.duration().toMillis() / 1000.0);
            m.put("timeout", r.timeoutUsed() == null ? null : r.timeoutUsed().toMillis() / 1000.0);
            m.put("timeout_source", r.timeoutSource());
            out.println(Wire.mapper().writeValueAsString(m));
        } else if (r.reason() != EndReason.EXIT) {
            err.println(command + ": " + (r.error() != null ? r.error() : "ended: " + r.reason()));
        }
        out.flush();
        return ExitCodes.of(r);
    }
}
