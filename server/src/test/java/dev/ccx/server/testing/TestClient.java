// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.protocol.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real WebSocket client (the JDK's) speaking raw JSON-RPC, for tests. Every inbound message is parsed and queued;
 * tests take them in order with bounded waits. Answers WebSocket pings (the JDK does that by itself) but never the
 * application {@code ping}, like the original's clients.
 */
public final class TestClient implements AutoCloseable {
    private static final long DEFAULT_WAIT_MS = 20_000;
    private final WebSocket ws;
    private final LinkedBlockingDeque<JsonNode> inbox = new LinkedBlockingDeque<>();
    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile String closeReason;

    private TestClient(URI uri, Map<String, String> headers) {
        Listener listener = new Listener();
        var builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        this.ws = builder.buildAsync(uri, listener).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Connects and returns once the WebSocket is open. */
    public static TestClient connect(URI uri) {
        return new TestClient(uri, Map.of());
    }

    /** Connects with extra upgrade-request headers. */
    public static TestClient connect(URI uri, Map<String, String> headers) {
        return new TestClient(uri, headers);
    }

    /** Sends a text frame as is. */
    public void sendRaw(String text) {
        ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Sends a binary frame. */
    public void sendBinary(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Sends a request and returns its id. */
    public long send(String method, Object params) {
        long id = ids.incrementAndGet();
        sendRaw(request(id, method, params));
        return id;
    }

    /** A JSON-RPC request as text. */
    public static String request(long id, String method, Object params) {
        ObjectNode req = Wire.mapper().createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("id", id);
        req.put("method", method);
        req.set("params", Wire.mapper().valueToTree(params));
        return req.toString();
    }

    /** Sends a request and waits for its response (result or error); notifications before it stay queued. */
    public JsonNode call(String method, Object params) {
        long id = send(method, params);
        return awaitResponse(id);
    }

    /** Waits for the response with {@code id}, keeping other messages queued in order. */
    public JsonNode awaitResponse(long id) {
        return take(m -> m.has("id") && m.get("id").isNumber() && m.get("id").longValue() == id, DEFAULT_WAIT_MS);
    }

    /** Starts a command and returns its execution id (asserting the response was a result). */
    public Started execute(Object params) {
        JsonNode response = call("execute", params);
        if (!response.has("result")) {
            throw new AssertionError("execute failed: " + response);
        }
        JsonNode r = response.get("result");
        Groups.saw(r.get("pgid").longValue());
        return new Started(r.get("execution_id").stringValue(), r.get("pid").longValue(), r.get("pgid").longValue());
    }

    /** The next message, whatever it is. */
    public JsonNode next() {
        return take(m -> true, DEFAULT_WAIT_MS);
    }

    /** Sends {@code attach} and returns its response (result or error); notifications before it stay queued. */
    public JsonNode attach(String executionId, long fromSeq) {
        return call("attach", Map.of("execution_id", executionId, "from_seq", fromSeq));
    }

    /** The entry {@code executions} lists for {@code executionId}, or {@code null} when it lists none. */
    public JsonNode listed(String executionId) {
        JsonNode response = call("executions", Map.of());
        if (!response.has("result")) {
            throw new AssertionError("executions failed: " + response);
        }
        for (JsonNode e : response.get("result").get("executions")) {
            if (executionId.equals(text(e, "execution_id"))) {
                return e;
            }
        }
        return null;
    }

    /** Waits for the next message matching {@code match}; earlier non-matching messages are kept, in order. */
    public JsonNode take(Predicate<JsonNode> match, long waitMillis) {
        List<JsonNode> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
                if (m == null) {
                    throw new AssertionError("no matching message within " + waitMillis + " ms; skipped "
                            + skipped.size() + ", last: " + (skipped.isEmpty() ? "-" : skipped.getLast())
                            + (closed.isDone() ? "; connection closed " + closed.join()[0] + " " + closeReason : ""));
                }
                if (match.test(m)) {
                    return m;
                }
                skipped.add(m);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            requeueFirst(skipped);
        }
    }

    /** Puts messages that were looked at but not wanted back in front of the queue, in order. */
    private void requeueFirst(List<JsonNode> skipped) {
        // addFirst in reverse keeps their order, and messages arriving meanwhile stay behind them.
        for (int i = skipped.size() - 1; i >= 0; i--) {
            inbox.addFirst(skipped.get(i));
        }
    }

    /** The next notification with this method. */
    public JsonNode notification(String method) {
        return take(m -> method.equals(text(m, "method")), DEFAULT_WAIT_MS);
    }

    /** The next notification with this method about this execution. */
    public JsonNode notification(String method, String executionId, long waitMillis) {
        return take(m -> method.equals(text(m, "method")) && m.has("params")
                && executionId.equals(text(m.get("params"), "execution_id")), waitMillis);
    }

    /**
     * Feeds every notification about {@code executionId} to {@code each}, in order, until its
     * {@code process.completed}, which is returned. Other messages stay queued, in order.
     */
    public JsonNode drain(String executionId, long waitMillis, Consumer<JsonNode> each) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        List<JsonNode> skipped = new ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
                if (m == null) {
                    throw new AssertionError("execution " + executionId + " did not complete within " + waitMillis
                            + " ms" + (closed.isDone() ? "; connection closed " + closed.join()[0] : ""));
                }
                JsonNode params = m.get("params");
                if (params == null || !executionId.equals(text(params, "execution_id"))) {
                    skipped.add(m);
                    continue;
                }
                each.accept(m);
                if ("process.completed".equals(text(m, "method"))) {
                    return params;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            requeueFirst(skipped);
        }
    }

    /** Runs a command to completion and collects its output. */
    public Run run(Object params) {
        return run(params, DEFAULT_WAIT_MS);
    }

    /** Runs a command to completion within {@code waitMillis} and collects its output. */
    public Run run(Object params, long waitMillis) {
        Started s = execute(params);
        Run run = new Run(s);
        JsonNode completed = drain(s.id(), waitMillis, run::add);
        run.completed = completed;
        return run;
    }

    /** Completes with {@code [statusCode]} when the server closes the connection. */
    public CompletableFuture<int[]> closed() {
        return closed;
    }

    public String closeReason() {
        return closeReason;
    }

    /** Messages received and not yet taken. */
    public List<JsonNode> pending() {
        return List.copyOf(inbox);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).join();
            } catch (RuntimeException ignored) {
                // already closing
            }
        }
        ws.abort();
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        ws.abort();
    }

    /** The code of an error response; fails when the response is a result. */
    public static int errorCode(JsonNode response) {
        if (!response.has("error")) {
            throw new AssertionError("expected an error, got " + response);
        }
        return response.get("error").get("code").intValue();
    }

    public static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isString() ? v.stringValue() : null;
    }

    /**
     * @param id   execution id
     * @param pid  process id
     * @param pgid process group id
     */
    public record Started(String id, long pid, long pgid) {
    }

    /** Everything one execution sent. */
    public static final class Run {
        public final Started started;
        public final List<JsonNode> messages = new ArrayList<>();
        public final StringBuilder stdout = new StringBuilder();
        public final StringBuilder stderr = new StringBuilder();
        public JsonNode completed;

        Run(Started started) {
            this.started = started;
        }

        void add(JsonNode m) {
            messages.add(m);
            if ("process.output".equals(text(m, "method"))) {
                JsonNode p = m.get("params");
                ("stdout".equals(text(p, "type")) ? stdout : stderr).append(p.get("data").stringValue());
            }
        }

        /** The list of methods received, in order. */
        public List<String> methods() {
            return messages.stream().map(m -> text(m, "method")).toList();
        }

        public int exitCode() {
            return completed.get("exit_code").intValue();
        }

        public String reason() {
            return completed.get("reason").stringValue();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(Wire.mapper().readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(new int[] {statusCode});
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeReason = String.valueOf(error);
            closed.complete(new int[] {-1});
        }
    }
}
