// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One scripted answer of {@link StubAnthropicApi} to one {@code POST /v1/messages}.
 *
 * <p>A {@link Message} is sent as the Messages API's SSE stream when the request has {@code "stream": true}
 * (what the Claude Code CLI always sends), or as one JSON message otherwise. An {@link Error} is an HTTP error
 * with the API's error body; a {@link Stall} starts a stream and then sends nothing more.
 */
public sealed interface Reply permits Reply.Message, Reply.Error, Reply.Stall {

    /** A content block of an assistant message. */
    sealed interface Block permits Text, ToolUse, Thinking {}

    /** A text block; streamed as {@code text_delta}s of at most {@code chunk} characters. */
    record Text(String text) implements Block {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A {@code tool_use} block; {@code inputJson} is the tool's input as a JSON object, streamed as
     * {@code input_json_delta}s. Its {@code id} is what the CLI quotes as {@code tool_use_id} in the tool_result.
     */
    record ToolUse(String id, String name, String inputJson) implements Block {
        public ToolUse {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(inputJson, "inputJson");
        }
    }

    /** A {@code thinking} block (streamed as {@code thinking_delta} then {@code signature_delta}). */
    record Thinking(String thinking) implements Block {
        public Thinking {
            Objects.requireNonNull(thinking, "thinking");
        }
    }

    /**
     * An assistant message. {@code stopReason} is {@code end_turn} for a final answer and {@code tool_use} when the
     * message asks for tools. {@code eventDelay} is slept between SSE events (zero: as fast as possible).
     */
    record Message(List<Block> content, String stopReason, int inputTokens, int outputTokens, Duration eventDelay)
            implements Reply {
        public Message {
            content = List.copyOf(content);
            Objects.requireNonNull(stopReason, "stopReason");
            Objects.requireNonNull(eventDelay, "eventDelay");
        }

        /** The same message with {@code delay} between its SSE events (to test streaming, partial messages, timeouts). */
        public Message withEventDelay(Duration delay) {
            return new Message(content, stopReason, inputTokens, outputTokens, delay);
        }

        /** The same message reporting these token counts in its usage. */
        public Message withUsage(int input, int output) {
            return new Message(content, stopReason, input, output, eventDelay);
        }

        /** The first tool_use block's id (what the tool_result of the next request refers to). */
        public String toolUseId() {
            return content.stream().filter(b -> b instanceof ToolUse).map(b -> ((ToolUse) b).id()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no tool_use block in " + this));
        }
    }

    /** An HTTP error: {@code {"type":"error","error":{"type":errorType,"message":message}}} with extra headers. */
    record Error(int status, String errorType, String message, Map<String, String> headers) implements Reply {
        public Error {
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(message, "message");
            headers = Map.copyOf(headers);
        }
    }

    /**
     * Sends the response headers and {@code message_start}, then, when {@code text} is not empty, a text block's
     * start and its {@code text_delta}s, and its {@code content_block_stop} when {@code blockComplete}; then nothing
     * until {@code hold} has passed or the stub is closed; then the connection is closed without
     * {@code message_stop}. For timeout and cancellation tests. The CLI prints a complete block as an
     * {@code assistant} line at its {@code content_block_stop}, so the text of an open block shows up only as
     * {@code stream_event}s with {@code --include-partial-messages}.
     */
    record Stall(String text, boolean blockComplete, Duration hold) implements Reply {
        public Stall {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(hold, "hold");
        }
    }

    // ---- factories -------------------------------------------------------------------------------------------

    /** Counter for generated tool_use ids, unique within the JVM. */
    AtomicInteger TOOL_IDS = new AtomicInteger();

    /** A final plain-text answer ({@code stop_reason: end_turn}). */
    static Message text(String text) {
        return new Message(List.of(new Text(text)), "end_turn", 12, Math.max(1, text.length() / 4), Duration.ZERO);
    }

    /**
     * A final answer whose text is the given JSON document (what a model answers when asked for JSON in the prompt).
     * The CLI passes it through unchanged as the {@code result} of its result event.
     */
    static Message json(String json) {
        return text(json);
    }

    /** A message that asks for one tool call ({@code stop_reason: tool_use}), with a fresh id. */
    static Message toolUse(String name, String inputJson) {
        return toolUse(null, name, inputJson);
    }

    /** A message with an optional leading text, then one tool call ({@code stop_reason: tool_use}), with a fresh id. */
    static Message toolUse(String leadingText, String name, String inputJson) {
        var use = new ToolUse("toolu_stub_%04d".formatted(TOOL_IDS.incrementAndGet()), name, inputJson);
        List<Block> blocks = leadingText == null ? List.of(use) : List.of(new Text(leadingText), use);
        return new Message(blocks, "tool_use", 20, 30, Duration.ZERO);
    }

    /** The CLI's {@code Read} tool on {@code filePath} (absolute); the CLI sends the content back as a tool_result. */
    static Message read(String filePath) {
        return toolUse("Read", "{\"file_path\":" + Sse.quote(filePath) + "}");
    }

    /** The CLI's {@code Write} tool: create or overwrite {@code filePath} (absolute) with {@code content}. */
    static Message write(String filePath, String content) {
        return toolUse("Write", "{\"file_path\":" + Sse.quote(filePath) + ",\"content\":" + Sse.quote(content) + "}");
    }

    /**
     * The {@code StructuredOutput} tool call that the CLI expects when run with {@code --json-schema}: the CLI
     * validates {@code json} against the schema and reports it as {@code structured_output} in its result event.
     * Follow it with a {@link #text} reply: the CLI sends the tool_result back and ends the turn on the next answer.
     */
    static Message structuredOutput(String json) {
        return toolUse("StructuredOutput", json);
    }

    /** A message made of the given blocks, with the given stop reason. */
    static Message message(String stopReason, Block... blocks) {
        return new Message(List.of(blocks), stopReason, 12, 12, Duration.ZERO);
    }

    /** HTTP 429 {@code rate_limit_error} with {@code retry-after} (whole seconds, at least 1). */
    static Error rateLimited(Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new Error(429, "rate_limit_error", "Number of requests has exceeded your rate limit (ccx stub)",
                Map.of("retry-after", Long.toString(seconds)));
    }

    /** HTTP 529 {@code overloaded_error} (the CLI retries it). */
    static Error overloaded() {
        return new Error(529, "overloaded_error", "Overloaded (ccx stub)", Map.of());
    }

    /** Any HTTP error with the API's error body, e.g. {@code error(400, "invalid_request_error", "...")}. */
    static Error error(int status, String errorType, String message) {
        return new Error(status, errorType, message, Map.of());
    }

    /** A stream that starts and then hangs for {@code hold} (or until the stub closes). */
    static Stall stall(Duration hold) {
        return new Stall("", false, hold);
    }

    /** A stream that starts a text block, streams {@code text}, and then hangs for {@code hold}, the block open. */
    static Stall stallAfter(String text, Duration hold) {
        return new Stall(text, false, hold);
    }

    /** A stream that sends one complete text block of {@code text}, then hangs for {@code hold}. */
    static Stall stallAfterBlock(String text, Duration hold) {
        return new Stall(text, true, hold);
    }
}
