// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.protocol.Wire;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Finds the JSON answer in Claude's final text. Models wrap JSON in markdown fences or add a sentence before it
 * (the original's issue 004: {@code json.loads} failed on exactly that), so the search is, in order:
 * <ol>
 *   <li>the whole text, if it is a JSON object or array;</li>
 *   <li>fenced blocks: first those tagged {@code json}, then untagged ones;</li>
 *   <li>the first balanced bare {@code {...}} or {@code [...]} that parses (strings and escapes are respected when
 *       matching brackets).</li>
 * </ol>
 * With an expected type ({@code object} or {@code array}, usually the schema's top-level {@code type}) a candidate of
 * that type wins over an earlier one of the other type, so a citation such as {@code [1]} in the prose does not hide
 * the object after it. There is no repair of broken JSON: an answer that does not parse is reported as missing.
 * Stateless and thread-safe; never throws on any text.
 */
public final class JsonAnswer {
    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+-]*)[^\\n]*\\n(.*?)```",
            Pattern.DOTALL);
    /** Bare-candidate starts tried at most, which bounds the work on long prose full of brackets. */
    private static final int MAX_STARTS = 2_000;
    /** Characters scanned for bare candidates at most, so that unbalanced brackets in a huge text stay cheap. */
    private static final long MAX_SCAN = 20_000_000L;

    private JsonAnswer() {
    }

    /** The first JSON object or array in {@code text}, of any type. */
    public static Optional<JsonNode> extract(String text) {
        return extract(text, null);
    }

    /**
     * The JSON answer in {@code text}.
     *
     * @param expectedType {@code "object"}, {@code "array"} or {@code null} for either
     */
    public static Optional<JsonNode> extract(String text, String expectedType) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        JsonNode fallback = null;
        JsonNode whole = parse(text.strip());
        if (whole != null) {
            if (matches(whole, expectedType)) {
                return Optional.of(whole);
            }
            fallback = whole;
        }
        for (boolean tagged : new boolean[] {true, false}) {
            Matcher m = FENCE.matcher(text);
            while (m.find()) {
                String tag = m.group(1);
                boolean isJson = tag.equalsIgnoreCase("json") || tag.equalsIgnoreCase("jsonc");
                if (tagged != isJson || (!tagged && !tag.isEmpty())) {
                    continue;
                }
                JsonNode node = parse(m.group(2).strip());
                if (node != null) {
                    if (matches(node, expectedType)) {
                        return Optional.of(node);
                    }
                    fallback = fallback == null ? node : fallback;
                }
            }
        }
        int starts = 0;
        long scanned = 0;
        for (int i = 0; i < text.length() && starts < MAX_STARTS && scanned < MAX_SCAN; i++) {
            char c = text.charAt(i);
            if (c != '{' && c != '[') {
                continue;
            }
            starts++;
            int end = balancedEnd(text, i);
            scanned += (end < 0 ? text.length() : end + 1) - i;
            if (end < 0) {
                continue;
            }
            JsonNode node = parse(text.substring(i, end + 1));
            if (node == null) {
                continue;
            }
            if (matches(node, expectedType)) {
                return Optional.of(node);
            }
            fallback = fallback == null ? node : fallback;
            i = end; // do not look for candidates inside one that parsed
        }
        return Optional.ofNullable(fallback);
    }

    private static boolean matches(JsonNode node, String expectedType) {
        if (expectedType == null) {
            return true;
        }
        return switch (expectedType) {
            case "object" -> node.isObject();
            case "array" -> node.isArray();
            default -> true;
        };
    }

    /** The index of the bracket closing the one at {@code start}, or -1 if the brackets never balance. */
    static int balancedEnd(String text, int start) {
        Deque<Character> closers = new ArrayDeque<>();
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{' -> closers.push('}');
                case '[' -> closers.push(']');
                case '}', ']' -> {
                    if (closers.isEmpty() || closers.pop() != c) {
                        return -1;
                    }
                    if (closers.isEmpty()) {
                        return i;
                    }
                }
                default -> {
                    // other characters do not affect nesting
                }
            }
        }
        return -1;
    }

    /** The object or array {@code s} holds exactly, or {@code null}. */
    private static JsonNode parse(String s) {
        if (s.isEmpty() || (s.charAt(0) != '{' && s.charAt(0) != '[')) {
            return null;
        }
        try {
            JsonNode node = Wire.mapper().readTree(s);
            return node != null && (node.isObject() || node.isArray()) ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
