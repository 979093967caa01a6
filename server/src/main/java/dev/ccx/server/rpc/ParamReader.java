// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.OnDisconnect;
import dev.ccx.server.exec.ExecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads request params field by field, so that every mistake gets an INVALID_PARAMS error naming the field, what
 * it must be, and what was sent. Unknown fields are ignored, as the original did.
 */
final class ParamReader {
    private final JsonNode params;

    ParamReader(JsonNode params) {
        this.params = params;
    }

    /** Reads and cross-checks {@code execute} params. */
    private static final java.util.regex.Pattern IDEMPOTENCY_KEY =
            java.util.regex.Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
    private static final java.util.regex.Pattern LABEL =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    static ExecuteParams execute(JsonNode params) {
        ParamReader r = new ParamReader(params);
        ExecuteParams what = commandOrArgv(params);
        String onDisconnect = r.string("on_disconnect");
        OnDisconnect od = onDisconnect == null ? null : OnDisconnect.ofWire(onDisconnect);
        if (onDisconnect != null && od == null) {
            throw invalid("params.on_disconnect must be \"kill\" or \"keep\", got \"" + onDisconnect + "\"");
        }
        String key = r.string("idempotency_key");
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw invalid("params.idempotency_key must be 1 to 128 letters, digits or . _ : @ / + = -, got \""
                    + (key.length() > 40 ? key.substring(0, 40) + "\u2026" : key) + "\"");
        }
        List<String> require = r.stringList("require");
        if (require != null) {
            for (String label : require) {
                if (!LABEL.matcher(label).matches()) {
                    throw invalid("params.require must hold labels (letters, digits, . _ : -; at most 64 each), "
                            + "got \"" + label + "\"");
                }
            }
        }
        return new ExecuteParams(what.command(), what.argv(), r.seconds("timeout"), r.seconds("idle_timeout"),
                r.string("cwd"), r.stringMap("env"), od, r.seconds("linger"), r.bool("stdin"),
                require == null || require.isEmpty() ? null : List.copyOf(require), key,
                params.has("retry_on_loss") && !params.get("retry_on_loss").isNull() ? r.bool("retry_on_loss")
                        : null);
    }

    /** Reads the command: exactly one of {@code command} and {@code argv}; the other fields are left null. */
    static ExecuteParams commandOrArgv(JsonNode params) {
        ParamReader r = new ParamReader(params);
        String command = r.string("command");
        List<String> argv = r.stringList("argv");
        if (command == null && argv == null) {
            throw invalid("params.command (a shell string) or params.argv (an array of strings) is required");
        }
        if (command != null && argv != null) {
            throw invalid("give params.command or params.argv, not both");
        }
        if (command != null && command.isBlank()) {
            throw invalid("params.command must not be empty");
        }
        if (argv != null && (argv.isEmpty() || argv.getFirst().isEmpty())) {
            throw invalid("params.argv must start with a non-empty program name");
        }
        return new ExecuteParams(command, argv, null, null, null, null);
    }

    String string(String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isString()) {
            throw invalid("params." + name + " must be a string, got " + describe(n));
        }
        if (n.stringValue().indexOf('\0') >= 0) {
            throw invalid("params." + name + " must not contain NUL characters");
        }
        return n.stringValue();
    }

    Double seconds(String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
            throw invalid("params." + name + " must be a positive number of seconds, got " + describe(n));
        }
        return n.doubleValue();
    }

    Integer positiveInt(String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
            throw invalid("params." + name + " must be a positive whole number, got " + describe(n));
        }
        return n.intValue();
    }

    List<String> stringList(String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw invalid("params." + name + " must be an array of strings, got " + describe(n));
        }
        List<String> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isString() || e.stringValue().indexOf('\0') >= 0) {
                throw invalid("params." + name + "[" + i + "] must be a string without NUL, got " + describe(e));
            }
            out.add(e.stringValue());
        }
        return List.copyOf(out);
    }

    Map<String, String> stringMap(String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw invalid("params." + name + " must be an object of strings, got " + describe(n));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String key = e.getKey();
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
                throw invalid("params." + name + " has an invalid variable name \"" + key + "\"");
            }
            if (!e.getValue().isString() || e.getValue().stringValue().indexOf('\0') >= 0) {
                throw invalid("params." + name + "." + key + " must be a string without NUL, got "
                        + describe(e.getValue()));
            }
            out.put(key, e.getValue().stringValue());
        }
        return out;
    }

    /** A string that must be there. */
    String requiredString(String name) {
        String v = string(name);
        if (v == null || v.isEmpty()) {
            throw invalid("params." + name + " is required (a non-empty string)");
        }
        return v;
    }

    boolean bool(String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw invalid("params." + name + " must be true or false, got " + describe(n));
        }
        return n.booleanValue();
    }

    long nonNegativeLong(String name, long absent) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw invalid("params." + name + " must be a whole number >= 0, got " + describe(n));
        }
        return n.longValue();
    }

    static ExecException invalid(String message) {
        return new ExecException(ErrorCode.INVALID_PARAMS, message);
    }

    static String describe(JsonNode n) {
        String text = n.toString();
        String kind = n.isString() ? "a string" : n.isNumber() ? "a number" : n.isBoolean() ? "a boolean"
                : n.isArray() ? "an array" : n.isObject() ? "an object" : "null";
        return kind + " (" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + ")";
    }
}
