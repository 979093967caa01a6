// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stub of the Anthropic Messages API on loopback, for running the real Claude Code CLI offline
 * ({@code ANTHROPIC_BASE_URL=}{@link #baseUrl()}). See docs/claude-stub.md.
 *
 * <p>Each {@code POST /v1/messages} takes the next {@link Reply} from a FIFO queue that the test scripts with
 * {@link #enqueue} (a fixed reply, or one computed from the request); when the queue is empty the stub answers 403
 * {@code permission_error} "no scripted reply left", which the CLI neither retries nor works around (it retries
 * 401, 429, 5xx, and re-sends a 400 several times with fewer betas), so a test that scripted too few replies fails
 * fast with that message as its result. {@code POST /v1/messages/count_tokens} is answered without using the
 * queue. Every request is recorded ({@link #requests()}).
 *
 * <p>JDK only: {@link HttpServer} on 127.0.0.1, an ephemeral port, one virtual thread per exchange.
 */
public final class StubAnthropicApi implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Deque<Function<RecordedRequest, ? extends Reply>> queue = new ArrayDeque<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile int chunk = 16;

    private StubAnthropicApi(HttpServer server) {
        this.server = server;
    }

    /** Starts a stub on 127.0.0.1 and an ephemeral port. */
    public static StubAnthropicApi start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            StubAnthropicApi stub = new StubAnthropicApi(server);
            server.setExecutor(stub.executor);
            server.createContext("/", stub::handle);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the stub Anthropic API on loopback", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: the value for {@code ANTHROPIC_BASE_URL} (no trailing slash). */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Appends replies to the queue; each {@code POST /v1/messages} takes the first one. */
    public StubAnthropicApi enqueue(Reply... replies) {
        synchronized (queue) {
            for (Reply reply : List.of(replies)) {
                queue.add(request -> reply);
            }
        }
        return this;
    }

    /**
     * Appends a reply computed from the request that takes it, for answers that depend on what the CLI sent (a
     * tool_result's content, the prompt). The function runs on the stub's thread for that request. When it throws
     * or returns null, the request is answered 403 {@code permission_error} with the reason, which ends the run at
     * once (as an unscripted request does), and the request is recorded with reply {@code computed_failed}.
     */
    public StubAnthropicApi enqueue(Function<RecordedRequest, ? extends Reply> reply) {
        Objects.requireNonNull(reply, "reply");
        synchronized (queue) {
            queue.add(reply);
        }
        return this;
    }

    /** Replies not yet taken. */
    public int pending() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** Largest number of characters in one {@code text_delta} / {@code input_json_delta} (default 16). */
    public StubAnthropicApi chunkSize(int characters) {
        if (characters < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + characters);
        }
        this.chunk = characters;
        return this;
    }

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The {@code POST /v1/messages} requests received so far, in arrival order. */
    public List<RecordedRequest> messageRequests() {
        return requests().stream().filter(RecordedRequest::isMessages).toList();
    }

    /** Requests that found no scripted reply (answered 403). */
    public List<RecordedRequest> unscripted() {
        return requests().stream().filter(r -> "unscripted".equals(r.reply())).toList();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- request handling ------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Function<RecordedRequest, ? extends Reply> scripted = null;
            String kind;
            if ("POST".equals(method) && "/v1/messages".equals(path)) {
                synchronized (queue) {
                    scripted = queue.pollFirst();
                }
                kind = scripted == null ? "unscripted" : "scripted";
            } else if ("POST".equals(method) && "/v1/messages/count_tokens".equals(path)) {
                kind = "count_tokens";
            } else if ("HEAD".equals(method) || ("GET".equals(method) && "/".equals(path))) {
                kind = "probe";
            } else {
                kind = "not_found";
            }
            RecordedRequest recorded = record(exchange, method, path, body, kind);
            Reply reply = null;
            if (scripted != null) {
                String failure;
                try {
                    reply = scripted.apply(recorded);
                    failure = reply == null ? "the computed reply was null" : null;
                } catch (RuntimeException | AssertionError e) {
                    failure = e.toString();
                }
                kind = reply == null ? "computed_failed" : reply.getClass().getSimpleName();
                recorded = settle(recorded, kind);
                if (reply == null) {
                    dump(recorded);
                    sendError(exchange, new Reply.Error(403, "permission_error", "ccx StubAnthropicApi: no reply"
                            + " for request #" + recorded.index() + ": " + failure, Map.of()));
                    return;
                }
            }
            dump(recorded);
            switch (kind) {
                case "count_tokens" -> sendJson(exchange, 200, countTokens(recorded), Map.of());
                case "probe" -> {
                    exchange.sendResponseHeaders(200, -1);
                }
                case "not_found" -> sendError(exchange,
                        new Reply.Error(404, "not_found_error", "ccx stub: no such endpoint " + method + " " + path,
                                Map.of()));
                case "unscripted" -> sendError(exchange, new Reply.Error(403, "permission_error",
                        "ccx StubAnthropicApi: no scripted reply left for request #" + recorded.index(), Map.of()));
                default -> answer(exchange, recorded, reply);
            }
        } catch (IOException e) {
            // The client went away (e.g. the CLI was killed mid-stream): nothing to answer.
        }
    }

    private RecordedRequest record(HttpExchange exchange, String method, String path, String body, String kind) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        RecordedRequest recorded;
        synchronized (requests) {
            recorded = new RecordedRequest(counter.incrementAndGet(), Instant.now(), method, path,
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(headers), body, kind);
            requests.add(recorded);
        }
        return recorded;
    }

    /** Replaces the recorded request's provisional reply kind by what it was answered with. */
    private RecordedRequest settle(RecordedRequest recorded, String kind) {
        RecordedRequest settled = new RecordedRequest(recorded.index(), recorded.at(), recorded.method(),
                recorded.path(), recorded.query(), recorded.headers(), recorded.body(), kind);
        synchronized (requests) {
            requests.set(requests.indexOf(recorded), settled);
        }
        return settled;
    }

    /** With {@code -Dccx.stub.dump=DIR}, every request is also written to DIR/port-NNNN.json (for investigations). */
    private void dump(RecordedRequest recorded) {
        String dir = System.getProperty("ccx.stub.dump");
        if (dir == null || dir.isBlank()) {
            return;
        }
        ObjectNode node = Sse.object();
        node.put("index", recorded.index());
        node.put("at", recorded.at().toString());
        node.put("method", recorded.method());
        node.put("path", recorded.path());
        node.put("query", recorded.query());
        node.put("reply", recorded.reply());
        ObjectNode headers = node.putObject("headers");
        recorded.headers().forEach((name, values) -> headers.put(name, String.join(", ", values)));
        node.set("body", recorded.json().isMissingNode() ? Sse.JSON.getNodeFactory().stringNode(recorded.body())
                : recorded.json());
        try {
            Path folder = Files.createDirectories(Path.of(dir));
            Files.writeString(folder.resolve("%d-%04d.json".formatted(server.getAddress().getPort(),
                    recorded.index())), Sse.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (IOException e) {
            // best effort
        }
    }

    private void answer(HttpExchange exchange, RecordedRequest request, Reply reply) throws IOException {
        switch (reply) {
            case Reply.Error error -> sendError(exchange, error);
            case Reply.Stall stall -> stall(exchange, request, stall);
            case Reply.Message message -> {
                if (request.streaming()) {
                    stream(exchange, request, message);
                } else {
                    sendJson(exchange, 200, Sse.JSON.writeValueAsString(fullMessage(request, message)), Map.of());
                }
            }
        }
    }

    private static String countTokens(RecordedRequest request) {
        return "{\"input_tokens\":" + Math.max(1, request.body().length() / 4) + "}";
    }

    private static void sendJson(HttpExchange exchange, int status, String json, Map<String, String> headers)
            throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.getResponseHeaders().set("request-id", "req_stub_" + Long.toHexString(System.nanoTime()));
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sendError(HttpExchange exchange, Reply.Error error) throws IOException {
        ObjectNode body = Sse.object();
        body.put("type", "error");
        body.putObject("error").put("type", error.errorType()).put("message", error.message());
        sendJson(exchange, error.status(), Sse.JSON.writeValueAsString(body), error.headers());
    }

    private static OutputStream startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("cache-control", "no-cache");
        exchange.getResponseHeaders().set("request-id", "req_stub_" + Long.toHexString(System.nanoTime()));
        exchange.sendResponseHeaders(200, 0); // chunked
        return exchange.getResponseBody();
    }

    private static String messageId(RecordedRequest request) {
        return "msg_stub_%04d".formatted(request.index());
    }

    private static String model(RecordedRequest request) {
        String model = request.model();
        return model == null ? "claude-stub" : model;
    }

    private static ObjectNode messageStart(RecordedRequest request, int inputTokens) {
        ObjectNode event = Sse.object();
        event.put("type", "message_start");
        ObjectNode message = event.putObject("message");
        message.put("id", messageId(request));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model(request));
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        ObjectNode usage = message.putObject("usage");
        usage.put("input_tokens", inputTokens);
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", 0);
        usage.put("output_tokens", 1);
        return event;
    }

    private void stream(HttpExchange exchange, RecordedRequest request, Reply.Message message) throws IOException {
        OutputStream out = startStream(exchange);
        Duration delay = message.eventDelay();
        Sse.event(out, messageStart(request, message.inputTokens()));
        pause(delay);
        Sse.event(out, type("ping"));
        int index = 0;
        for (Reply.Block block : message.content()) {
            pause(delay);
            ObjectNode start = type("content_block_start");
            start.put("index", index);
            ObjectNode contentBlock = start.putObject("content_block");
            switch (block) {
                case Reply.Text text -> {
                    contentBlock.put("type", "text").put("text", "");
                    Sse.event(out, start);
                    for (String part : chunks(text.text())) {
                        pause(delay);
                        Sse.event(out, delta(index, "text_delta", "text", part));
                    }
                }
                case Reply.ToolUse use -> {
                    contentBlock.put("type", "tool_use").put("id", use.id()).put("name", use.name());
                    contentBlock.putObject("input");
                    Sse.event(out, start);
                    for (String part : chunks(use.inputJson())) {
                        pause(delay);
                        Sse.event(out, delta(index, "input_json_delta", "partial_json", part));
                    }
                }
                case Reply.Thinking thinking -> {
                    contentBlock.put("type", "thinking").put("thinking", "").put("signature", "");
                    Sse.event(out, start);
                    for (String part : chunks(thinking.thinking())) {
                        pause(delay);
                        Sse.event(out, delta(index, "thinking_delta", "thinking", part));
                    }
                    Sse.event(out, delta(index, "signature_delta", "signature", "c3R1Yg=="));
                }
            }
            pause(delay);
            ObjectNode stop = type("content_block_stop");
            stop.put("index", index);
            Sse.event(out, stop);
            index++;
        }
        pause(delay);
        ObjectNode messageDelta = type("message_delta");
        messageDelta.putObject("delta").put("stop_reason", message.stopReason()).putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", message.outputTokens());
        Sse.event(out, messageDelta);
        pause(delay);
        Sse.event(out, type("message_stop"));
    }

    private void stall(HttpExchange exchange, RecordedRequest request, Reply.Stall stall) throws IOException {
        OutputStream out = startStream(exchange);
        Sse.event(out, messageStart(request, 12));
        if (!stall.text().isEmpty()) {
            ObjectNode start = type("content_block_start");
            start.put("index", 0);
            start.putObject("content_block").put("type", "text").put("text", "");
            Sse.event(out, start);
            for (String part : chunks(stall.text())) {
                Sse.event(out, delta(0, "text_delta", "text", part));
            }
            if (stall.blockComplete()) {
                ObjectNode stop = type("content_block_stop");
                stop.put("index", 0);
                Sse.event(out, stop);
            }
        }
        try {
            closed.await(stall.hold().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ObjectNode fullMessage(RecordedRequest request, Reply.Message message) {
        ObjectNode full = Sse.object();
        full.put("id", messageId(request));
        full.put("type", "message");
        full.put("role", "assistant");
        full.put("model", model(request));
        ArrayNode content = full.putArray("content");
        for (Reply.Block block : message.content()) {
            switch (block) {
                case Reply.Text text -> content.addObject().put("type", "text").put("text", text.text());
                case Reply.ToolUse use -> {
                    ObjectNode node = content.addObject().put("type", "tool_use").put("id", use.id())
                            .put("name", use.name());
                    JsonNode input = Sse.parse(use.inputJson());
                    node.set("input", input);
                }
                case Reply.Thinking thinking -> content.addObject().put("type", "thinking")
                        .put("thinking", thinking.thinking()).put("signature", "c3R1Yg==");
            }
        }
        full.put("stop_reason", message.stopReason());
        full.putNull("stop_sequence");
        full.putObject("usage").put("input_tokens", message.inputTokens()).put("output_tokens", message.outputTokens());
        return full;
    }

    private static ObjectNode type(String type) {
        ObjectNode node = Sse.object();
        node.put("type", type);
        return node;
    }

    private static ObjectNode delta(int index, String deltaType, String field, String value) {
        ObjectNode event = type("content_block_delta");
        event.put("index", index);
        event.putObject("delta").put("type", deltaType).put(field, value);
        return event;
    }

    private List<String> chunks(String text) {
        int size = chunk;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = Math.min(text.length(), i + size);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++; // never split a surrogate pair
            }
            parts.add(text.substring(i, end));
            i = end;
        }
        if (parts.isEmpty()) {
            parts.add("");
        }
        return parts;
    }

    private void pause(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            closed.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
