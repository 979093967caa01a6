// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A small JSON Schema checker for the subset the original's {@code cc_execute} used in its prompts: {@code type}
 * ({@code object}, {@code array}, {@code string}, {@code number}, {@code integer}, {@code boolean}, {@code null}, or
 * a list of these), {@code properties}, {@code required}, {@code items} (one schema for all elements),
 * {@code enum}, and {@code additionalProperties: false}. Other keywords are ignored, so a richer schema is checked
 * only partly, never wrongly rejected.
 *
 * <p>Each error names the path of the offending value in JSONPath style, for example
 * {@code $.files_created[1]: expected string, got number}. At most {@link #MAX_ERRORS} errors are reported.
 * Stateless and thread-safe; never throws (a schema that is not an object accepts everything).
 */
public final class JsonSchemaCheck {
    /** Most errors reported for one value. */
    public static final int MAX_ERRORS = 50;
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    private JsonSchemaCheck() {
    }

    /** The errors of {@code value} against {@code schema}; empty when it is valid. */
    public static List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "$", errors);
        return List.copyOf(errors);
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema == null || !schema.isObject() || errors.size() >= MAX_ERRORS) {
            return;
        }
        JsonNode type = schema.path("type");
        if (!type.isMissingNode() && !typeMatches(type, value)) {
            add(errors, path + ": expected " + typeText(type) + ", got " + typeOf(value));
            return; // the other keywords would only repeat the mismatch
        }
        JsonNode allowed = schema.path("enum");
        if (allowed.isArray() && !allowed.values().contains(value)) {
            add(errors, path + ": " + Json.summary(value, 80) + " is not one of " + Json.summary(allowed, 200));
        }
        if (value.isObject()) {
            checkObject(schema, value, path, errors);
        } else if (value.isArray()) {
            JsonNode items = schema.path("items");
            if (items.isObject()) {
                int i = 0;
                for (JsonNode element : value.values()) {
                    check(items, element, path + "[" + i++ + "]", errors);
                }
            }
        }
    }

    private static void checkObject(JsonNode schema, JsonNode value, String path, List<String> errors) {
        JsonNode required = schema.path("required");
        if (required.isArray()) {
            for (JsonNode name : required.values()) {
                if (name.isString() && !value.has(name.stringValue())) {
                    add(errors, path + ": missing required property \"" + name.stringValue() + "\"");
                }
            }
        }
        JsonNode properties = schema.path("properties");
        for (Map.Entry<String, JsonNode> p : value.properties()) {
            JsonNode propertySchema = properties.path(p.getKey());
            if (propertySchema.isObject()) {
                check(propertySchema, p.getValue(), child(path, p.getKey()), errors);
            } else if (schema.path("additionalProperties").isBoolean()
                    && !schema.path("additionalProperties").booleanValue()) {
                add(errors, child(path, p.getKey()) + ": property not allowed");
            }
        }
    }

    private static String child(String path, String name) {
        return PLAIN_NAME.matcher(name).matches() ? path + "." + name
                : path + "[\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isString()) {
            return isType(type.stringValue(), value);
        }
        if (type.isArray()) {
            for (JsonNode t : type.values()) {
                if (t.isString() && isType(t.stringValue(), value)) {
                    return true;
                }
            }
            return false;
        }
        return true; // a malformed "type" constrains nothing
    }

    private static boolean isType(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "number" -> value.isNumber();
            // JSON Schema counts 2.0 as an integer: the value matters, not the spelling.
            case "integer" -> value.isIntegralNumber()
                    || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> true; // an unknown type name constrains nothing
        };
    }

    private static String typeText(JsonNode type) {
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.values().forEach(t -> names.add(t.isString() ? t.stringValue() : t.toString()));
            return String.join(" or ", names);
        }
        return type.isString() ? type.stringValue() : type.toString();
    }

    private static String typeOf(JsonNode value) {
        if (value.isObject()) {
            return "object";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isString()) {
            return "string";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        return value.isNull() ? "null" : value.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static void add(List<String> errors, String error) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(error);
        }
    }
}
