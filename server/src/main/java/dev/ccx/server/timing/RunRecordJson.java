// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import dev.ccx.protocol.EndReason;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JSON shape of a {@link RunRecord}, shared by the Redis store (ZSET members) and the embedded store (lines
 * of its history file), so that both read and write exactly the same thing.
 *
 * <p>A member carries the original's fields first, so that its Python tools can read what ccx writes:
 * {@code timestamp} (epoch seconds), {@code expected} (the timeout if there was one, else the duration, as the
 * original did), {@code actual}, {@code success}, {@code variance}, {@code complexity} and {@code question_type}
 * (empty: ccx does not classify by them), {@code cpu_load}, {@code gpu_memory_gb} (always 0). Then the fields only
 * ccx writes: {@code exit_code}, {@code reason}, {@code timeout} (null for none), {@code cores} and
 * {@code timestamp_ms}, which also keeps the members of runs ending in the same second apart.
 *
 * <p>Reading tolerates the original's records, which lack the ccx fields: the reason is then {@code exit} and the
 * exit code 0 or 1 from {@code success}, the timeout unknown (null), the core count 0 (unknown).
 *
 * <p>A history file line is a member with {@code category} and {@code name} in front, since a file holds every key.
 */
final class RunRecordJson {
    // Python's json.dumps writes NaN/Infinity for such floats; accept them rather than drop the record.
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private RunRecordJson() {
    }

    /** The record as a Redis history member (no task key: the Redis key holds it). */
    static String member(RunRecord run) {
        ObjectNode o = MAPPER.createObjectNode();
        putFields(o, run);
        return MAPPER.writeValueAsString(o);
    }

    /** The record as one line of a history file (with its task key, without the line break). */
    static String line(RunRecord run) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("category", run.key().category());
        o.put("name", run.key().name());
        putFields(o, run);
        return MAPPER.writeValueAsString(o);
    }

    /**
     * Reads a history member of {@code key}, written by ccx or by the original.
     *
     * @throws IllegalArgumentException if it is not such a record
     */
    static RunRecord fromMember(TaskKey key, String json) {
        return read(key, parse(json));
    }

    /**
     * Reads one history file line.
     *
     * @throws IllegalArgumentException if it is not such a line
     */
    static RunRecord fromLine(String line) {
        JsonNode o = parse(line);
        JsonNode category = o.get("category");
        JsonNode name = o.get("name");
        if (category == null || !category.isString() || name == null || !name.isString()) {
            throw new IllegalArgumentException("no category/name");
        }
        return read(new TaskKey(category.stringValue(), name.stringValue()), o);
    }

    private static void putFields(ObjectNode o, RunRecord run) {
        double actual = finite(run.durationSeconds());
        Double timeout = run.timeoutSeconds() == null ? null : finite(run.timeoutSeconds());
        double expected = timeout != null ? timeout : actual;
        o.put("timestamp", Math.floorDiv(run.timestampMillis(), 1000L));
        o.put("expected", expected);
        o.put("actual", actual);
        o.put("success", run.succeeded());
        o.put("variance", expected > 0 ? (actual - expected) / expected : 0.0);
        o.put("complexity", "");
        o.put("question_type", "");
        o.put("cpu_load", finite(run.load1()));
        o.put("gpu_memory_gb", 0.0);
        o.put("exit_code", run.exitCode());
        o.put("reason", run.reason().wire());
        if (timeout == null) {
            o.putNull("timeout");
        } else {
            o.put("timeout", timeout.doubleValue());
        }
        o.put("cores", run.cores());
        o.put("timestamp_ms", run.timestampMillis());
    }

    private static RunRecord read(TaskKey key, JsonNode o) {
        JsonNode actual = o.get("actual");
        if (actual == null || !actual.isNumber()) {
            throw new IllegalArgumentException("no actual duration");
        }
        long millis;
        JsonNode ms = o.get("timestamp_ms");
        JsonNode seconds = o.get("timestamp");
        if (ms != null && ms.isNumber()) {
            millis = ms.longValue();
        } else if (seconds != null && seconds.isNumber()) {
            millis = Math.round(seconds.doubleValue() * 1000);
        } else {
            throw new IllegalArgumentException("no timestamp");
        }
        boolean success = o.path("success").asBoolean(false);
        JsonNode exit = o.get("exit_code");
        int exitCode = exit != null && exit.isNumber() ? exit.intValue() : success ? 0 : 1;
        JsonNode timeout = o.get("timeout");
        return new RunRecord(key, millis, actual.doubleValue(), exitCode, reason(o.get("reason")),
                timeout != null && timeout.isNumber() ? timeout.doubleValue() : null,
                number(o.get("cpu_load")), (int) number(o.get("cores")));
    }

    /** The original wrote no reason: it recorded runs that exited. A reason this version does not know is ERROR,
     *  so that the duration of a run that may not have ended on its own is not taken for how long the task takes. */
    private static EndReason reason(JsonNode n) {
        if (n == null || n.isNull()) {
            return EndReason.EXIT;
        }
        for (EndReason r : EndReason.values()) {
            if (r.wire().equals(n.asString(""))) {
                return r;
            }
        }
        return EndReason.ERROR;
    }

    private static double number(JsonNode n) {
        return n != null && n.isNumber() ? finite(n.doubleValue()) : 0.0;
    }

    // JSON has no NaN: writing one would make a member or line the Python tools and we cannot read back.
    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0.0;
    }

    private static JsonNode parse(String json) {
        JsonNode o;
        try {
            o = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return o;
    }
}
