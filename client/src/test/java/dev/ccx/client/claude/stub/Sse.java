// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON and server-sent-event helpers of the stub. */
final class Sse {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private Sse() {}

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        return JSON.writeValueAsString(s);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    /** Writes one SSE event ({@code event: type} + {@code data: json}) and flushes it. */
    static void event(OutputStream out, ObjectNode data) throws IOException {
        String type = data.path("type").asString();
        out.write(("event: " + type + "\ndata: " + JSON.writeValueAsString(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
