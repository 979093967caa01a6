// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import tools.jackson.databind.JsonNode;

/** Lenient accessors for untrusted JSON trees: a wrong type reads as absent instead of throwing. Stateless. */
final class Json {
    private Json() {
    }

    /** The string value, or {@code null} when the node is missing or not a string. */
    static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    /** The value as a long, or {@code fallback} when the node is not a number that fits. */
    static long longOr(JsonNode node, long fallback) {
        return node != null && node.isNumber() && node.canConvertToLong() ? node.asLong() : fallback;
    }

    /** The value as an Integer, or {@code null} when the node is not an integral number that fits. */
    static Integer intOrNull(JsonNode node) {
        if (node != null && node.isIntegralNumber() && node.canConvertToInt()) {
            return node.asInt();
        }
        return null;
    }

    /** The value as a Double, or {@code null} when the node is not a number. */
    static Double doubleOrNull(JsonNode node) {
        return node != null && node.isNumber() ? node.asDouble() : null;
    }

    /** {@code true} only for a JSON {@code true}. */
    static boolean isTrue(JsonNode node) {
        return node != null && node.isBoolean() && node.booleanValue();
    }

    /** Compact JSON (strings quoted), cut to at most {@code max} characters with a trailing ellipsis. */
    static String summary(JsonNode node, int max) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        String s = node.toString();
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }
}
