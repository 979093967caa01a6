// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One line saying what a tool call does, for a person: {@code Write /tmp/notes.md}, {@code Bash git status}. The
 * input field that names the target (a path, a command, a pattern, a URL) when the tool has one, else the input as
 * compact JSON; cut to a width, on one line.
 */
public final class ToolSummary {
    /** The longest summary; a terminal line has room for the tool name and this. */
    static final int MAX_CHARS = 100;
    /** The fields that say what a call is about, most telling first (Claude Code's tools use these names). */
    private static final List<String> TARGETS = List.of("file_path", "notebook_path", "command", "path", "pattern",
            "url", "query", "description");

    private ToolSummary() {
    }

    /** {@code name} and the telling part of {@code input}. */
    public static String of(String name, JsonNode input) {
        String tool = name == null ? "(unnamed tool)" : name;
        String what = target(input);
        return what.isEmpty() ? tool : tool + " " + what;
    }

    private static String target(JsonNode input) {
        if (input == null || !input.isObject() || input.isEmpty()) {
            return "";
        }
        for (String field : TARGETS) {
            JsonNode v = input.path(field);
            if (v.isString() && !v.stringValue().isBlank()) {
                return cut(v.stringValue());
            }
        }
        return cut(input.toString());
    }

    /** One line of at most {@link #MAX_CHARS} characters: line breaks become spaces, a cut ends with an ellipsis. */
    static String cut(String s) {
        String line = s.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS - 1) + "…";
    }
}
