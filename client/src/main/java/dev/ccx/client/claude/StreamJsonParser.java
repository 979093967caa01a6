// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.protocol.Wire;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Parses the stdout of {@code claude -p ... --output-format stream-json --verbose}, one line at a time, into
 * {@link ClaudeEvent}s for a listener, and keeps a running {@link Progress} and the data for the final
 * {@link ClaudeResult}.
 *
 * <p>Line shapes handled (one JSON object per line):
 * <ul>
 *   <li>{@code system}: {@code init} gives {@link ClaudeEvent.Init}, {@code api_retry} {@link ClaudeEvent.ApiRetry};
 *       other subtypes ({@code status}, {@code compact_boundary}, hooks, ...) {@link ClaudeEvent.Unknown};</li>
 *   <li>{@code assistant}: {@code message.content[]} blocks: {@code text} gives {@link ClaudeEvent.AssistantText},
 *       {@code tool_use} {@link ClaudeEvent.ToolUse}; {@code thinking} and others are skipped (a line with nothing
 *       else gives one {@link ClaudeEvent.Unknown});</li>
 *   <li>{@code user}: {@code tool_result} blocks give {@link ClaudeEvent.ToolResult};</li>
 *   <li>{@code stream_event} ({@code --include-partial-messages}): {@code content_block_delta} with a
 *       {@code text_delta} of the main agent gives {@link ClaudeEvent.PartialText}; {@code message_start} and
 *       {@code message_delta} update the token counts; all others give {@link ClaudeEvent.Unknown};</li>
 *   <li>{@code result}: {@link ClaudeEvent.Result};</li>
 *   <li>{@code rate_limit_event}: {@link ClaudeEvent.RateLimit};</li>
 *   <li>anything else, and lines that are not a JSON object: {@link ClaudeEvent.Unknown}. Blank lines are skipped.</li>
 * </ul>
 * Unknown fields are ignored and fields of the wrong type read as absent, so the parser never throws on input, of any
 * size (lines of many megabytes are fine).
 *
 * <p><b>Counting.</b> Claude Code emits one {@code assistant} line per content block, each repeating the response's
 * {@code message.id} and {@code usage}; tokens and turns are therefore counted once per {@code message.id} (the
 * documented way, see anthropics/claude-code#87303). With partial messages the streamed deltas of a message are
 * replaced by its complete text when the {@code assistant} line arrives, so text is not doubled.
 *
 * <p><b>Threads.</b> Feed lines from one thread (the stdout reader), in order. {@link #progress()} and
 * {@link #finish()} may be called from any thread. The listener runs on the feeding thread, after the parser's state
 * has been updated for the whole line and outside its lock; an exception thrown by the listener propagates to the
 * caller of {@link #accept(String)} and leaves the parser consistent.
 */
public final class StreamJsonParser {
    private final Consumer<? super ClaudeEvent> listener;
    private final Clock clock;

    private long lines;
    private long unparsed;
    private int apiRetries;
    private String sessionId;
    private final Map<String, Usage> usageByMessage = new LinkedHashMap<>();
    private final Set<String> mainMessages = new HashSet<>();
    private final Map<String, Segment> segments = new LinkedHashMap<>();
    private final Map<String, ToolCall> toolCalls = new LinkedHashMap<>();
    private int anonymous;
    private String streamingMessage;
    private ClaudeEvent.Result result;
    private RateLimits.Limit lastLimit;

    /**
     * Text of one main-agent message: the complete text blocks received so far, then the streamed deltas of the
     * block still being written. Claude Code 2.1.330 sends a block's deltas, then its complete {@code assistant}
     * line, then {@code content_block_stop}; the complete line replaces the deltas it covers.
     */
    private static final class Segment {
        final StringBuilder complete = new StringBuilder();
        final StringBuilder pending = new StringBuilder();

        int length() {
            return complete.length() + pending.length();
        }
    }

    /** A parser that only accumulates (no listener). */
    public StreamJsonParser() {
        this(event -> { });
    }

    /** A parser that passes every event to {@code listener}. */
    public StreamJsonParser(Consumer<? super ClaudeEvent> listener) {
        this(listener, Clock.systemUTC());
    }

    /**
     * A parser with its own clock, used to resolve wall-clock usage-limit resets ("resets 3pm (Europe/Paris)").
     */
    public StreamJsonParser(Consumer<? super ClaudeEvent> listener, Clock clock) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Feeds one stdout line (without or with its line terminator) and passes the resulting events to the listener.
     *
     * @return the events of this line, in order (empty for a blank line)
     */
    public List<ClaudeEvent> accept(String line) {
        return handOn(parse(line));
    }

    /**
     * Feeds one stdout line that the caller has already parsed ({@code node}, a JSON object, and {@code raw}, its
     * text), so that a very long line is parsed once; otherwise as {@link #accept(String)}.
     */
    public List<ClaudeEvent> accept(JsonNode node, String raw) {
        List<ClaudeEvent> events;
        synchronized (this) {
            lines++;
            events = events(node, raw);
        }
        return handOn(events);
    }

    private List<ClaudeEvent> handOn(List<ClaudeEvent> events) {
        synchronized (this) {
            for (ClaudeEvent e : events) {
                Optional<RateLimits.Limit> limit = RateLimits.fromEvent(e, clock.instant());
                if (limit.isPresent()) {
                    lastLimit = limit.get();
                }
            }
        }
        for (ClaudeEvent e : events) {
            listener.accept(e);
        }
        return events;
    }

    /** A snapshot of the run so far. Copies the text, so it costs time linear in the text's length. */
    public synchronized Progress progress() {
        return new Progress(sessionId, mainMessages.size(), toolCalls.size(), usageSoFar(), textSoFar(), lines,
                unparsed, apiRetries, result != null);
    }

    /** Whether a {@code result} line has arrived. */
    public synchronized boolean finished() {
        return result != null;
    }

    /**
     * The outcome of the run from what was fed so far. Call it when the process has ended or was given up on;
     * without a {@code result} line the outcome is {@linkplain ClaudeResult#partial() partial}. The parser can still
     * be fed afterwards; a later call reflects the later lines.
     */
    public synchronized ClaudeResult finish() {
        List<ToolCall> calls = List.copyOf(toolCalls.values());
        String soFar = textSoFar();
        if (result == null) {
            return new ClaudeResult(soFar, true, ClaudeResult.NO_RESULT, sessionId, null, usageSoFar(),
                    mainMessages.size(), null, null, calls, true, List.of(), lastLimit, null, List.of());
        }
        boolean failed = result.isError() || !"success".equals(result.subtype());
        String text = result.result() != null ? result.result() : soFar;
        RateLimits.Limit limit = null;
        if (failed) {
            // A failed API call whose text is not recognised still failed on the limit the CLI was retrying.
            boolean apiError = result.isError() && "success".equals(result.subtype());
            limit = RateLimits.fromEvent(result, clock.instant()).orElse(apiError ? lastLimit : null);
        }
        return new ClaudeResult(text, failed, failed ? result.subtype() : null,
                result.sessionId() != null ? result.sessionId() : sessionId, result.costUsd(),
                result.usage().equals(Usage.ZERO) ? usageSoFar() : result.usage(),
                result.numTurns() != null ? result.numTurns() : mainMessages.size(), result.durationMs(),
                result.durationApiMs(), calls, false, result.errors(), limit, null, List.of());
    }

    private synchronized List<ClaudeEvent> parse(String raw) {
        if (raw == null) {
            return List.of();
        }
        String line = raw.strip();
        if (line.isEmpty()) {
            return List.of();
        }
        lines++;
        JsonNode node = null;
        if (line.charAt(0) == '{') {
            try {
                node = Wire.mapper().readTree(line);
            } catch (JacksonException e) {
                node = null; // reported as Unknown below
            }
        }
        if (node == null || !node.isObject()) {
            unparsed++;
            return List.of(new ClaudeEvent.Unknown(null, null, null, raw));
        }
        return events(node, raw);
    }

    private List<ClaudeEvent> events(JsonNode node, String raw) {
        if (sessionId == null) {
            sessionId = Json.text(node.path("session_id"));
        }
        String type = Json.text(node.path("type"));
        List<ClaudeEvent> out = new ArrayList<>(2);
        try {
            switch (type == null ? "" : type) {
                case "system" -> system(node, raw, out);
                case "assistant" -> assistant(node, raw, out);
                case "user" -> user(node, raw, out);
                case "stream_event" -> streamEvent(node, raw, out);
                case "result" -> out.add(result(node));
                case "rate_limit_event" -> out.add(rateLimit(node.path("rate_limit_info")));
                default -> out.add(new ClaudeEvent.Unknown(type, Json.text(node.path("subtype")), node, raw));
            }
        } catch (RuntimeException e) {
            // Only a bug here could throw; the reader thread must survive it, and the line is still reported.
            out.add(new ClaudeEvent.Unknown(type, "parse_error: " + e, node, raw));
        }
        return out;
    }

    private void system(JsonNode node, String raw, List<ClaudeEvent> out) {
        String subtype = Json.text(node.path("subtype"));
        if ("init".equals(subtype)) {
            String id = Json.text(node.path("session_id"));
            sessionId = id != null ? id : sessionId;
            List<String> tools = new ArrayList<>();
            for (JsonNode t : node.path("tools").values()) {
                if (t.isString()) {
                    tools.add(t.stringValue());
                }
            }
            List<String> servers = new ArrayList<>();
            for (JsonNode s : node.path("mcp_servers").values()) {
                String name = Json.text(s.path("name"));
                if (name != null) {
                    String status = Json.text(s.path("status"));
                    servers.add(status == null ? name : name + ":" + status);
                }
            }
            out.add(new ClaudeEvent.Init(id, Json.text(node.path("model")), Json.text(node.path("cwd")),
                    Json.text(node.path("permissionMode")), tools, servers,
                    Json.text(node.path("claude_code_version"))));
        } else if ("api_retry".equals(subtype)) {
            apiRetries++;
            JsonNode delay = node.path("retry_delay_ms");
            out.add(new ClaudeEvent.ApiRetry(Json.intOrNull(node.path("attempt")),
                    Json.intOrNull(node.path("max_retries")),
                    delay.isNumber() ? Long.valueOf(Json.longOr(delay, 0)) : null,
                    Json.intOrNull(node.path("error_status")), errorText(node.path("error"))));
        } else {
            out.add(new ClaudeEvent.Unknown("system", subtype, node, raw));
        }
    }

    private void assistant(JsonNode node, String raw, List<ClaudeEvent> out) {
        JsonNode message = node.path("message");
        if (!message.isObject()) {
            out.add(new ClaudeEvent.Unknown("assistant", null, node, raw));
            return;
        }
        String messageId = Json.text(message.path("id"));
        String parent = Json.text(node.path("parent_tool_use_id"));
        String apiError = errorText(node.path("error"));
        String key = messageId != null ? messageId : "#" + anonymous++;
        usageByMessage.merge(key, Usage.of(message.path("usage")), Usage::max);
        boolean main = parent == null;
        if (main) {
            mainMessages.add(key);
        }
        JsonNode content = message.path("content");
        if (content.isString()) {
            text(content.stringValue(), key, messageId, parent, apiError, main, out);
        }
        for (JsonNode block : content.values()) {
            String blockType = Json.text(block.path("type"));
            if ("text".equals(blockType)) {
                String text = Json.text(block.path("text"));
                if (text != null) {
                    text(text, key, messageId, parent, apiError, main, out);
                }
            } else if ("tool_use".equals(blockType)) {
                String id = Json.text(block.path("id"));
                String name = Json.text(block.path("name"));
                JsonNode input = block.path("input");
                if (!input.isObject()) {
                    input = Wire.mapper().createObjectNode();
                }
                String callKey = id != null ? id : "#tool" + toolCalls.size();
                toolCalls.putIfAbsent(callKey, new ToolCall(id, name, Json.summary(input, ToolCall.SUMMARY_CHARS),
                        false));
                out.add(new ClaudeEvent.ToolUse(id, name, input, messageId, parent));
            }
        }
        if (out.isEmpty()) {
            JsonNode first = content.path(0);
            out.add(new ClaudeEvent.Unknown("assistant", Json.text(first.path("type")), node, raw));
        }
    }

    private void text(String text, String key, String messageId, String parent, String apiError, boolean main,
            List<ClaudeEvent> out) {
        if (main) {
            Segment s = segments.computeIfAbsent(key, k -> new Segment());
            s.complete.append(text);
            s.pending.setLength(0);
        }
        out.add(new ClaudeEvent.AssistantText(text, messageId, parent, apiError));
    }

    private void user(JsonNode node, String raw, List<ClaudeEvent> out) {
        if (Json.isTrue(node.path("isReplay"))) {
            out.add(new ClaudeEvent.UserPrompt(promptText(node.path("message").path("content")),
                    node.path("message").path("content")));
            return;
        }
        for (JsonNode block : node.path("message").path("content").values()) {
            if (!"tool_result".equals(Json.text(block.path("type")))) {
                continue;
            }
            String id = Json.text(block.path("tool_use_id"));
            boolean isError = Json.isTrue(block.path("is_error"));
            if (isError && id != null) {
                toolCalls.computeIfPresent(id, (k, c) -> new ToolCall(c.id(), c.name(), c.inputSummary(), true));
            }
            out.add(new ClaudeEvent.ToolResult(id, resultText(block.path("content")), isError));
        }
        if (out.isEmpty()) {
            out.add(new ClaudeEvent.Unknown("user", null, node, raw));
        }
    }

    /** A user message's text: the string, or its text blocks joined by newlines. */
    static String promptText(JsonNode content) {
        if (content.isString()) {
            return content.stringValue();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode block : content.values()) {
            String text = "text".equals(Json.text(block.path("type"))) ? Json.text(block.path("text")) : null;
            if (text != null) {
                parts.add(text);
            }
        }
        return String.join("\n", parts);
    }

    private void streamEvent(JsonNode node, String raw, List<ClaudeEvent> out) {
        JsonNode event = node.path("event");
        String eventType = Json.text(event.path("type"));
        boolean main = Json.text(node.path("parent_tool_use_id")) == null;
        if ("message_start".equals(eventType)) {
            JsonNode message = event.path("message");
            String id = Json.text(message.path("id"));
            String key = id != null ? id : "#" + anonymous++;
            usageByMessage.merge(key, Usage.of(message.path("usage")), Usage::max);
            if (main) {
                streamingMessage = key;
                mainMessages.add(key);
            }
        } else if ("message_delta".equals(eventType) && main && streamingMessage != null) {
            usageByMessage.merge(streamingMessage, Usage.of(event.path("usage")), Usage::max);
        } else if ("content_block_delta".equals(eventType) && main) {
            JsonNode delta = event.path("delta");
            String text = Json.text(delta.path("text"));
            if ("text_delta".equals(Json.text(delta.path("type"))) && text != null) {
                String key = streamingMessage != null ? streamingMessage : "#stream";
                segments.computeIfAbsent(key, k -> new Segment()).pending.append(text);
                Integer index = Json.intOrNull(event.path("index"));
                out.add(new ClaudeEvent.PartialText(text, key.startsWith("#") ? null : key,
                        index == null ? 0 : index));
                return;
            }
        }
        out.add(new ClaudeEvent.Unknown("stream_event", eventType, node, raw));
    }

    private ClaudeEvent.Result result(JsonNode node) {
        String id = Json.text(node.path("session_id"));
        sessionId = id != null ? id : sessionId;
        JsonNode cost = node.has("total_cost_usd") ? node.path("total_cost_usd") : node.path("cost_usd");
        JsonNode duration = node.path("duration_ms");
        JsonNode durationApi = node.path("duration_api_ms");
        List<String> errors = new ArrayList<>();
        for (JsonNode e : node.path("errors").values()) {
            errors.add(e.isString() ? e.stringValue() : e.toString());
        }
        result = new ClaudeEvent.Result(Json.text(node.path("subtype")), Json.isTrue(node.path("is_error")),
                Json.text(node.path("result")), id, Json.doubleOrNull(cost), Usage.of(node.path("usage")),
                Json.intOrNull(node.path("num_turns")),
                duration.isNumber() ? Long.valueOf(Json.longOr(duration, 0)) : null,
                durationApi.isNumber() ? Long.valueOf(Json.longOr(durationApi, 0)) : null,
                Json.intOrNull(node.path("api_error_status")), errors);
        return result;
    }

    private static ClaudeEvent.RateLimit rateLimit(JsonNode info) {
        JsonNode resets = info.path("resetsAt");
        Instant resetsAt = null;
        if (resets.isNumber() && resets.canConvertToLong()) {
            long value = resets.asLong();
            // Epoch seconds; tolerate milliseconds, which are three orders of magnitude larger.
            resetsAt = value > 100_000_000_000L ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
        }
        return new ClaudeEvent.RateLimit(Json.text(info.path("status")), resetsAt,
                Json.text(info.path("rateLimitType")), Json.isTrue(info.path("isUsingOverage")));
    }

    /** An {@code error} field as text: a string as is, an object by its {@code type} or {@code message}. */
    private static String errorText(JsonNode error) {
        if (error.isString()) {
            return error.stringValue();
        }
        if (error.isObject()) {
            String message = Json.text(error.path("message"));
            String type = Json.text(error.path("type"));
            return message != null ? (type != null ? type + ": " + message : message) : type;
        }
        return null;
    }

    /** A {@code tool_result} content: a string, or a list of blocks whose text is joined. */
    private static String resultText(JsonNode content) {
        if (content.isString()) {
            return content.stringValue();
        }
        if (!content.isArray()) {
            return content.isMissingNode() || content.isNull() ? "" : content.toString();
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode block : content.values()) {
            if (!b.isEmpty()) {
                b.append('\n');
            }
            String text = Json.text(block.path("text"));
            b.append(text != null ? text : "[" + Objects.requireNonNullElse(Json.text(block.path("type")), "?") + "]");
        }
        return b.toString();
    }

    private Usage usageSoFar() {
        Usage sum = Usage.ZERO;
        for (Usage u : usageByMessage.values()) {
            sum = sum.plus(u);
        }
        return sum;
    }

    private String textSoFar() {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments.values()) {
            if (s.length() == 0) {
                continue;
            }
            if (!b.isEmpty()) {
                b.append("\n\n");
            }
            b.append(s.complete).append(s.pending);
        }
        return b.toString();
    }
}
