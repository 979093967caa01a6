// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One HTTP request that {@link StubAnthropicApi} received, in arrival order ({@code index} from 1).
 *
 * @param headers lower-cased header names to their values
 * @param reply   what the stub answered: the reply's record name, {@code count_tokens}, {@code unscripted} or
 *                {@code not_found}
 */
public record RecordedRequest(int index, Instant at, String method, String path, String query,
                              Map<String, List<String>> headers, String body, String reply) {

    /** {@code POST /v1/messages} (the CLI adds {@code ?beta=true}). */
    public boolean isMessages() {
        return "POST".equals(method) && "/v1/messages".equals(path);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The body as JSON (a missing node when it is empty or not JSON). */
    public JsonNode json() {
        if (body == null || body.isBlank()) {
            return Sse.JSON.missingNode();
        }
        try {
            return Sse.parse(body);
        } catch (JacksonException e) {
            return Sse.JSON.missingNode();
        }
    }

    public boolean streaming() {
        return json().path("stream").asBoolean(false);
    }

    public String model() {
        return json().path("model").asString(null);
    }

    /** The request's {@code messages} array (role user, assistant; this CLI also sends a role system one). */
    public JsonNode messages() {
        return json().path("messages");
    }

    /** Names of the tools offered in the request. */
    public List<String> toolNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode tool : json().path("tools")) {
            names.add(tool.path("name").asString());
        }
        return names;
    }

    /** Every {@code tool_result} content block in the request's user messages, oldest first. */
    public List<JsonNode> toolResults() {
        List<JsonNode> results = new ArrayList<>();
        for (JsonNode message : messages()) {
            if (!"user".equals(message.path("role").asString())) {
                continue;
            }
            for (JsonNode block : message.path("content")) {
                if ("tool_result".equals(block.path("type").asString())) {
                    results.add(block);
                }
            }
        }
        return results;
    }

    /** The {@code tool_result} block answering the tool_use with this id, if the request carries it. */
    public Optional<JsonNode> toolResult(String toolUseId) {
        return toolResults().stream().filter(b -> toolUseId.equals(b.path("tool_use_id").asString())).findFirst();
    }

    /**
     * The number after {@code pattern}'s group 1 in the text of the tool_result for {@code toolUseId}: how a scripted
     * reply reads what the CLI really found (a file's content) and answers from it.
     *
     * @throws AssertionError when the request has no such tool_result or the text does not match
     */
    public long numberIn(String toolUseId, Pattern pattern) {
        JsonNode result = toolResult(toolUseId)
                .orElseThrow(() -> new AssertionError("no tool_result for " + toolUseId + " in " + this));
        Matcher m = pattern.matcher(toolResultText(result));
        if (!m.find()) {
            throw new AssertionError(pattern + " not in the tool_result " + result);
        }
        return Long.parseLong(m.group(1));
    }

    /** The text of a tool_result block (its content is either a string or a list of text blocks). */
    public static String toolResultText(JsonNode toolResult) {
        JsonNode content = toolResult.path("content");
        if (content.isString()) {
            return content.asString();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.path("text").asString(""));
        }
        return text.toString();
    }

    /** All text of the user messages (prompt, system reminders, tool results excluded), joined by newlines. */
    public String userText() {
        StringBuilder text = new StringBuilder();
        for (JsonNode message : messages()) {
            if (!"user".equals(message.path("role").asString())) {
                continue;
            }
            JsonNode content = message.path("content");
            if (content.isString()) {
                text.append(content.asString()).append('\n');
            }
            for (JsonNode block : content) {
                if ("text".equals(block.path("type").asString())) {
                    text.append(block.path("text").asString()).append('\n');
                }
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "#" + index + " " + method + " " + path + (query == null ? "" : "?" + query) + " -> " + reply
                + " (" + (body == null ? 0 : body.length()) + " chars)";
    }
}
