// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.protocol.Wire;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Wraps a task prompt with an instruction to answer as JSON matching a schema, as the original's {@code cc_execute}
 * did (its step 4). Check the answer with {@link ClaudeResult#withSchema(JsonNode)}. Stateless and thread-safe.
 */
public final class PromptWrapper {
    private static final String DEFAULT_SCHEMA_TEXT = """
            {"type":"object",
             "properties":{"result":{"type":"string"},
                           "files_created":{"type":"array","items":{"type":"string"}},
                           "files_modified":{"type":"array","items":{"type":"string"}},
                           "summary":{"type":"string"},
                           "execution_uuid":{"type":"string"}},
             "required":["result","summary","execution_uuid"]}""";

    private PromptWrapper() {
    }

    /**
     * The original's default schema: {@code result}, {@code files_created}, {@code files_modified}, {@code summary},
     * {@code execution_uuid}; the first, fourth and fifth required. A fresh copy each call (JSON trees are mutable).
     */
    public static JsonNode defaultSchema() {
        return Wire.mapper().readTree(DEFAULT_SCHEMA_TEXT);
    }

    /** {@link #wrap(String, JsonNode, String)} without an execution UUID. */
    public static String wrap(String task, JsonNode schema) {
        return wrap(task, schema, null);
    }

    /**
     * Returns {@code task}, a blank line, and the instruction to answer with one JSON value matching {@code schema}
     * (pretty-printed). With {@code executionUuid}, the answer must also carry it as {@code execution_uuid}, the last
     * key, so that an answer can be told apart from one of another run (as in the original).
     *
     * @throws NullPointerException if {@code task} or {@code schema} is {@code null}
     */
    public static String wrap(String task, JsonNode schema, String executionUuid) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(schema, "schema");
        StringBuilder b = new StringBuilder(task.strip()).append("\n\n")
                .append("Answer with a single JSON value that matches this JSON schema. Put nothing else in the")
                .append(" answer: no explanation before or after it. You may put it in a ```json code block.\n\n")
                .append(Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(schema)).append('\n');
        if (executionUuid != null) {
            b.append("\nSet \"execution_uuid\" to \"").append(executionUuid)
                    .append("\" and make it the last key of the object.\n");
        }
        return b.toString();
    }
}
