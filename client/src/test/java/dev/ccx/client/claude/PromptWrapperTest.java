// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PromptWrapperTest {

    @Test
    void wrapsTheTaskWithTheSchema() {
        JsonNode schema = PromptWrapper.defaultSchema();
        String prompt = PromptWrapper.wrap("  What is 2+2?\n", schema, "3f0e-uuid");

        assertThat(prompt).startsWith("What is 2+2?\n\nAnswer with a single JSON value that matches this JSON schema.");
        assertThat(prompt).contains("\"required\" : [ \"result\", \"summary\", \"execution_uuid\" ]");
        assertThat(prompt).endsWith("Set \"execution_uuid\" to \"3f0e-uuid\" and make it the last key of the"
                + " object.\n");
        assertThat(PromptWrapper.wrap("Task", schema)).doesNotContain("execution_uuid\" to");
    }

    @Test
    void defaultSchemaIsAFreshCopy() {
        JsonNode a = PromptWrapper.defaultSchema();
        ((tools.jackson.databind.node.ObjectNode) a).put("type", "array");

        assertThat(PromptWrapper.defaultSchema().path("type").stringValue()).isEqualTo("object");
    }

    @Test
    void anAnswerToTheWrappedPromptValidates() {
        ClaudeResult r = new ClaudeResult("```json\n{\"result\":\"4\",\"files_created\":[],\"files_modified\":[],"
                + "\"summary\":\"2+2\",\"execution_uuid\":\"3f0e-uuid\"}\n```", false, null, "s", null, Usage.ZERO, 1,
                null, null, java.util.List.of(), false, java.util.List.of(), null, null, java.util.List.of())
                .withSchema(PromptWrapper.defaultSchema());

        assertThat(r.schemaErrors()).isEmpty();
        assertThat(r.json().path("execution_uuid").stringValue()).isEqualTo("3f0e-uuid");
    }
}
