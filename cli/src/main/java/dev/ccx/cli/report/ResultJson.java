// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.report;

import dev.ccx.client.CommandResult;
import dev.ccx.client.TaskResult;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.protocol.Wire;
import java.time.Duration;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/**
 * One task's outcome as JSON, in snake_case like the wire protocol: the same object in report files, in
 * {@code task_finished} progress events and in {@code ccx claude --json}'s result, so a consumer parses one shape.
 */
public final class ResultJson {
    private ResultJson() {
    }

    /**
     * The outcome of {@code r}, named {@code name}.
     *
     * @param output whether to include the collected stdout and stderr (reports: yes; progress events: no)
     */
    public static ObjectNode task(TaskResult r, String name, boolean output) {
        return task(null, r, name, output);
    }

    /** {@link #task(TaskResult, String, boolean)} headed by {@code "type": type}, for JSON-lines output. */
    public static ObjectNode task(String type, TaskResult r, String name, boolean output) {
        ObjectNode n = Wire.mapper().createObjectNode();
        if (type != null) {
            n.put("type", type);
        }
        n.put("index", r.index());
        n.put("name", name);
        n.put("kind", r.task() instanceof ClaudeTask ? "claude" : "command");
        n.put("task", r.task().describe());
        n.put("status", r.status().name().toLowerCase(Locale.ROOT));
        n.put("attempts", r.attempts());
        n.put("message", r.message());
        CommandResult c = r.result();
        if (c != null) {
            n.put("execution_id", c.executionId());
            n.put("pid", c.pid());
            n.put("exit_code", c.exitCode());
            n.put("reason", c.reason() == null ? null : c.reason().wire());
            n.put("duration", seconds(c.duration()));
            n.put("timeout", c.timeoutUsed() == null ? null : seconds(c.timeoutUsed()));
            n.put("timeout_source", c.timeoutSource());
            if (output) {
                n.put("stdout", r.claude() == null ? c.stdout() : null); // Claude's stdout is the parsed result
                n.put("stderr", c.stderr());
                n.put("output_cut", c.outputCut());
            }
        }
        if (r.claude() != null) {
            ObjectNode claude = Wire.mapper().valueToTree(r.claude());
            if (!output) {
                claude.remove("text"); // progress events stay small; the report and the result carry it
            }
            n.set("claude", claude);
        }
        return n;
    }

    /** Seconds with millisecond precision, as the wire protocol writes durations. */
    public static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
