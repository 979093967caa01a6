// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.audit;

import dev.ccx.protocol.Wire;
import dev.ccx.server.observe.ExecutionSummary;
import dev.ccx.server.observe.Refusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit log's lines: one JSON object each, the fields in a fixed order, long strings clipped. */
final class AuditLines {
    /** The longest string kept whole (a command, an argument, a message); longer ones are clipped and marked. */
    static final int MAX_STRING = 16 * 1024;

    private AuditLines() {
    }

    static String execution(ExecutionSummary e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.ofEpochMilli(e.endedAtMillis()).toString());
        m.put("event", "execution");
        m.put("execution_id", e.id());
        m.put("session", e.sessionId());
        m.put("principal", e.principal());
        m.put("remote", e.remote());
        m.put("kind", e.kind());
        if (e.command() != null) {
            m.put("command", e.command());
        } else {
            m.put("argv", e.argv());
        }
        m.put("cwd", e.cwd());
        m.put("pid", e.pid());
        m.put("reason", e.reason().wire());
        m.put("exit_code", e.exitCode());
        m.put("started_at", Instant.ofEpochMilli(e.startedAtMillis()).toString());
        m.put("duration_seconds", Math.round(e.durationSeconds() * 1000) / 1000.0);
        m.put("bytes_out", e.stdoutBytes() + e.stderrBytes());
        m.put("stdout_bytes", e.stdoutBytes());
        m.put("stderr_bytes", e.stderrBytes());
        return json(m);
    }

    static String refusal(Refusal r, long nowMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.ofEpochMilli(nowMillis).toString());
        m.put("event", "refused");
        m.put("what", r.what());
        m.put("rule", r.rule());
        m.put("limit", r.limit());
        m.put("code", r.code());
        m.put("message", r.message());
        m.put("session", r.sessionId());
        m.put("remote", r.remote());
        m.put("request", r.request());
        return json(m);
    }

    private static String json(Map<String, Object> m) {
        return Wire.mapper().writeValueAsString(clip(m));
    }

    /** A copy with every string longer than {@link #MAX_STRING} cut there and marked with what was left out. */
    private static Object clip(Object value) {
        return switch (value) {
            case String s when s.length() > MAX_STRING -> s.substring(0, MAX_STRING) + "\u2026 ("
                    + (s.length() - MAX_STRING) + " more characters)";
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(k, clip(v)));
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                list.forEach(v -> out.add(clip(v)));
                yield out;
            }
            case null -> null;
            default -> value;
        };
    }
}
