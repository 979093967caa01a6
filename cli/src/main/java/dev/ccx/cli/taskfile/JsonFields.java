// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Typed reading of one JSON object of a task file (the file's settings, its {@code "claude"} object, or a task),
 * with the messages for whatever does not fit. Every getter returns {@code null} when the key is absent and throws a
 * {@link TaskFileException} at the key's line and column when its value has the wrong type or range; the message
 * starts with the object's context (such as {@code task 3 (line 14)}), names the key, says what was expected and
 * shows what was found.
 */
final class JsonFields {
    private final String source;
    private final LocatedJson object;
    private final String context;

    /**
     * @param context who the object is in messages, such as {@code task 3 (line 14)}; empty for the top level
     */
    JsonFields(String source, LocatedJson object, String context) {
        this.source = source;
        this.object = object;
        this.context = context;
    }

    /** Fails on the first key not in {@code known}, suggesting the nearest known one and listing them all. */
    void allowOnly(List<String> known) throws TaskFileException {
        for (Map.Entry<String, LocatedJson> e : object.fields().entrySet()) {
            if (!known.contains(e.getKey())) {
                String guess = KeyGuess.nearest(e.getKey(), known);
                throw error(e.getValue(), "unknown key \"" + e.getKey() + "\""
                        + (guess == null ? "." : "; did you mean \"" + guess + "\"?")
                        + " Known keys: " + String.join(", ", known));
            }
        }
    }

    boolean has(String key) {
        return object.fields().containsKey(key);
    }

    /** The value of {@code key} with its place, or {@code null}. */
    LocatedJson get(String key) {
        return object.fields().get(key);
    }

    /** A non-blank string. */
    String string(String key) throws TaskFileException {
        LocatedJson v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.node().isString()) {
            throw error(v, quote(key) + " must be a string, got " + shown(v.node()));
        }
        if (v.node().stringValue().isBlank()) {
            throw error(v, quote(key) + " is blank");
        }
        return v.node().stringValue();
    }

    /** A positive number of seconds, fractions allowed. */
    Duration seconds(String key) throws TaskFileException {
        LocatedJson v = get(key);
        if (v == null) {
            return null;
        }
        String expected = quote(key) + " must be a positive number of seconds, got " + shown(v.node());
        if (!v.node().isNumber() || v.node().decimalValue().signum() <= 0) {
            throw error(v, expected);
        }
        BigDecimal nanos = v.node().decimalValue().movePointRight(9).setScale(0, RoundingMode.HALF_UP);
        if (nanos.signum() == 0) {
            throw error(v, expected + " (below a nanosecond)");
        }
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw error(v, quote(key) + " is too large: " + shown(v.node()) + " seconds");
        }
    }

    /** An integer of at least 1. */
    Integer positiveInt(String key) throws TaskFileException {
        LocatedJson v = get(key);
        if (v == null) {
            return null;
        }
        JsonNode n = v.node();
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
            throw error(v, quote(key) + " must be a positive integer, got " + shown(n));
        }
        return n.intValue();
    }

    /** {@code true} or {@code false}. */
    Boolean bool(String key) throws TaskFileException {
        LocatedJson v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.node().isBoolean()) {
            throw error(v, quote(key) + " must be true or false, got " + shown(v.node()));
        }
        return v.node().booleanValue();
    }

    /**
     * An array of strings.
     *
     * @param nonEmpty      whether the array needs at least one element
     * @param nonBlankItems whether each element must have a non-space character
     */
    List<String> strings(String key, boolean nonEmpty, boolean nonBlankItems) throws TaskFileException {
        LocatedJson v = get(key);
        if (v == null) {
            return null;
        }
        String expected = quote(key) + " must be " + (nonEmpty ? "a non-empty" : "an") + " array of strings";
        if (!v.node().isArray() || (nonEmpty && v.items().isEmpty())) {
            throw error(v, expected + ", got " + shown(v.node()));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.items().size(); i++) {
            LocatedJson item = v.items().get(i);
            String where = quote(key) + "[" + i + "]";
            if (!item.node().isString()) {
                throw error(item, expected + ", but " + where + " is " + shown(item.node()));
            }
            if (nonBlankItems && item.node().stringValue().isBlank()) {
                throw error(item, where + " is blank");
            }
            out.add(item.node().stringValue());
        }
        return List.copyOf(out);
    }

    /** An object of environment variables: names without {@code =}, string values. Insertion order is kept. */
    Map<String, String> env(String key) throws TaskFileException {
        LocatedJson v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.node().isObject()) {
            throw error(v, quote(key) + " must be an object of strings, got " + shown(v.node()));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, LocatedJson> e : v.fields().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0) {
                throw error(e.getValue(), quote(key) + " has \"" + name + "\", which is not a variable name");
            }
            JsonNode value = e.getValue().node();
            if (!value.isString()) {
                throw error(e.getValue(), quote(key) + "." + quote(name) + " must be a string, got " + shown(value));
            }
            env.put(name, value.stringValue());
        }
        return Collections.unmodifiableMap(env);
    }

    /** An error at {@code at}, prefixed with this object's context. */
    TaskFileException error(LocatedJson at, String detail) {
        return new TaskFileException(source, at.line(), at.column(),
                context.isEmpty() ? detail : context + ": " + detail);
    }

    static String quote(String key) {
        return "\"" + key + "\"";
    }

    /** A value as a message shows it: scalars as JSON (long strings cut), containers by kind. */
    static String shown(JsonNode v) {
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "an array";
        }
        String json = v.toString();
        return json.length() <= 40 ? json : json.substring(0, 37) + "...";
    }
}
