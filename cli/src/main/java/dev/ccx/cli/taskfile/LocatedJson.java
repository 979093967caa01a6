// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.protocol.Wire;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON value with the place it was written, and the same for everything inside it. A Jackson tree alone forgets
 * positions, and error messages must name the line of the task and the key; so the text is read with the streaming
 * parser and the tree is built alongside.
 *
 * @param node   the value as a Jackson tree (for a schema that is passed on whole)
 * @param line   1-based line: of the key for an object member, else of the value's first character
 * @param column 1-based column of the same place
 * @param fields an object's members by key, in file order; empty for other values
 * @param items  an array's elements; empty for other values
 */
record LocatedJson(JsonNode node, int line, int column, Map<String, LocatedJson> fields, List<LocatedJson> items) {

    /**
     * Reads one JSON value that must fill {@code text}.
     *
     * @param hint added to syntax errors, to say why the text was read as JSON at all
     * @throws TaskFileException on a syntax error, a duplicate key or text after the value, at its line and column
     */
    static LocatedJson parse(String source, String text, String hint) throws TaskFileException {
        try (JsonParser p = Wire.mapper().createParser(text)) {
            p.nextToken();
            LocatedJson root = read(source, p, p.currentTokenLocation());
            if (p.nextToken() != null) {
                throw error(source, p.currentTokenLocation(), "invalid JSON: more text after the end of the value"
                        + hint);
            }
            return root;
        } catch (JacksonException e) {
            throw error(source, e.getLocation(), "invalid JSON: " + e.getOriginalMessage() + hint);
        }
    }

    private static LocatedJson read(String source, JsonParser p, TokenStreamLocation at) throws TaskFileException {
        return switch (p.currentToken()) {
            case START_OBJECT -> readObject(source, p, at);
            case START_ARRAY -> readArray(source, p, at);
            default -> new LocatedJson(p.readValueAsTree(), at.getLineNr(), at.getColumnNr(), Map.of(), List.of());
        };
    }

    private static LocatedJson readObject(String source, JsonParser p, TokenStreamLocation at)
            throws TaskFileException {
        ObjectNode node = Wire.mapper().getNodeFactory().objectNode();
        Map<String, LocatedJson> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            TokenStreamLocation keyAt = p.currentTokenLocation();
            // A Jackson tree keeps the last of two equal keys without a word; in a hand-written file that is a slip.
            if (fields.containsKey(key)) {
                LocatedJson first = fields.get(key);
                throw error(source, keyAt, "duplicate key \"" + key + "\" (first at line " + first.line() + ")");
            }
            p.nextToken();
            LocatedJson value = read(source, p, keyAt);
            fields.put(key, value);
            node.set(key, value.node());
        }
        return new LocatedJson(node, at.getLineNr(), at.getColumnNr(), Collections.unmodifiableMap(fields), List.of());
    }

    private static LocatedJson readArray(String source, JsonParser p, TokenStreamLocation at)
            throws TaskFileException {
        ArrayNode node = Wire.mapper().getNodeFactory().arrayNode();
        List<LocatedJson> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            LocatedJson item = read(source, p, p.currentTokenLocation());
            items.add(item);
            node.add(item.node());
        }
        return new LocatedJson(node, at.getLineNr(), at.getColumnNr(), Map.of(), List.copyOf(items));
    }

    private static TaskFileException error(String source, TokenStreamLocation at, String detail) {
        int line = at == null ? 0 : Math.max(at.getLineNr(), 0);
        int column = at == null ? 0 : Math.max(at.getColumnNr(), 0);
        return new TaskFileException(source, line, column, detail);
    }
}
