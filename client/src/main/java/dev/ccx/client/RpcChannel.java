// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.Connected;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ObjectNode;

/**
 * One WebSocket to a ccx server and the JSON-RPC traffic on it: requests and their responses, notifications handed
 * to an {@link Inbound}, the answer to the server's {@code ping}. It knows nothing of executions.
 *
 * <p><b>Reading.</b> One reader takes inbound messages one at a time, in order, and asks for the next only while the
 * client's {@link Backlog} of listener calls has room: a client whose listeners fall behind stops reading, so its
 * memory stays bounded and the server holds the output instead.
 *
 * <p><b>Requests.</b> A request's future fails with {@link CcxTimeoutException} after the request timeout and is then
 * forgotten. A late {@code execute} response is still handed to {@link Inbound#lateExecute} (for the last 256 given
 * up), so the client can end what nobody waits for.
 *
 * <p>A broken or closed connection fails every pending request and is reported once to {@link Inbound#lost}.
 */
final class RpcChannel {
    private static final System.Logger LOG = System.getLogger(RpcChannel.class.getName());
    /** Reads wire records leniently: a field the original server leaves out becomes 0, false or null. */
    static final ObjectReader LENIENT = Wire.mapper().reader()
            .without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final int LATE_EXECUTES = 256;

    /** What the channel hands to its owner. Called on the reader, one message at a time. */
    interface Inbound {
        /** A notification other than {@code connected} and {@code ping}. */
        void notification(String method, JsonNode params);

        /** The response to an {@code execute} whose request had timed out. */
        void lateExecute(JsonNode result);

        /** The connection is gone (reported once). */
        void lost(CcxException why);
    }

    /** A request waiting for its response; {@code onResult} runs on the reader before {@code future} completes. */
    private record Pending(String method, CompletableFuture<JsonNode> future, Consumer<JsonNode> onResult) {
    }

    private final URI uri;
    private final ClientOptions options;
    private final HttpClient http;
    private final Executor virtual;
    private final Backlog backlog;
    private final Inbound inbound;
    private final AtomicLong ids;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> gaveUpExecutes = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                    return size() > LATE_EXECUTES;
                }
            });
    private final CompletableFuture<Connected> connected = new CompletableFuture<>();
    private final AtomicReference<CcxException> ended = new AtomicReference<>();
    private final CompletableFuture<Void> socketClosed = new CompletableFuture<>();
    private final ReentrantLock sendLock = new ReentrantLock();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket ws;

    private RpcChannel(URI uri, ClientOptions options, HttpClient http, Executor virtual, Backlog backlog,
                       AtomicLong ids, Inbound inbound) {
        this.uri = uri;
        this.options = options;
        this.http = http;
        this.virtual = virtual;
        this.backlog = backlog;
        this.ids = ids;
        this.inbound = inbound;
    }

    /**
     * Opens the WebSocket and waits for {@code connected}, within the connect timeout.
     *
     * @throws ConnectFailedException the connection could not be opened; nothing is left open
     */
    static RpcChannel open(URI uri, ClientOptions options, HttpClient http, Executor virtual, Backlog backlog,
                           AtomicLong ids, Inbound inbound) {
        RpcChannel c = new RpcChannel(uri, options, http, virtual, backlog, ids, inbound);
        try {
            c.connect();
            return c;
        } catch (RuntimeException e) {
            c.abort();
            throw e;
        }
    }

    private void connect() {
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(options.connectTimeout());
        if (options.token() != null) {
            b.header("Authorization", "Bearer " + options.token());
        }
        try {
            ws = b.buildAsync(uri, new Reader()).get(options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            connected.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ConnectFailedException("no connected notification from " + uri + " within "
                    + options.connectTimeout(), -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectFailedException("interrupted while connecting to " + uri, -1, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConnectFailedException cfe) {
                throw cfe;
            }
            if (cause instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                throw new ConnectFailedException("WebSocket upgrade to " + uri + " refused with HTTP " + status
                        + (status == 401 ? " (missing or wrong token)" : status == 403 ? " (origin refused)" : ""),
                        status, cause);
            }
            throw new ConnectFailedException("could not connect to " + uri + ": " + cause, -1, cause);
        }
    }

    /** The {@code connected} notification of this connection. */
    Connected connected() {
        return connected.join();
    }

    /** Why the channel ended, or {@code null} while it is open. */
    CcxException ended() {
        return ended.get();
    }

    /**
     * Sends a request. The future completes with its {@code result} (after {@code onResult} ran on the reader),
     * or fails as the class comment says. Dependent stages run on a virtual thread, never on the reader.
     */
    CompletableFuture<JsonNode> call(String method, Object params, Consumer<JsonNode> onResult) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        CcxException why = ended.get();
        if (why != null) {
            f.completeExceptionally(notSent(why));
            return f;
        }
        long id = ids.incrementAndGet();
        pending.put(id, new Pending(method, f, onResult));
        why = ended.get();
        if (why != null) {
            // The connection ended between the check and the put; its sweep may have missed this entry.
            pending.remove(id);
            f.completeExceptionally(notSent(why));
            return f;
        }
        send(request(id, method, params)).whenComplete((v, e) -> {
            if (e != null) {
                // A socket that cannot be written is gone, whether or not the reader has noticed yet.
                ConnectionLostException broke = new ConnectionLostException("connection to " + uri
                        + " broke: could not send " + method + ": " + e, e);
                if (pending.remove(id) != null) {
                    f.completeExceptionally(new RequestNotSentException(broke)); // its bytes did not go out
                }
                lost(broke);
                abort();
            }
        });
        Duration t = options.requestTimeout();
        f.orTimeout(t.toNanos(), TimeUnit.NANOSECONDS);
        return f.handleAsync((r, e) -> {
            if (e == null) {
                return r;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                // Forgotten: nothing of a request given up on stays, except the id of an execute, to end it.
                if (pending.remove(id) != null && Methods.EXECUTE.equals(method)) {
                    gaveUpExecutes.put(id, Boolean.TRUE);
                }
                throw new CcxTimeoutException("no response to " + method + " (id " + id + ") from " + uri
                        + " within " + t);
            }
            throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
        }, virtual);
    }

    /** Sends a request without waiting for, or keeping track of, its response. */
    CompletableFuture<?> notify(String method, Object params) {
        return send(request(ids.incrementAndGet(), method, params));
    }

    private static String request(long id, String method, Object params) {
        ObjectNode req = Wire.mapper().createObjectNode();
        req.put("jsonrpc", Wire.JSONRPC);
        req.put("id", id);
        req.put("method", method);
        req.set("params", Wire.mapper().valueToTree(params));
        return req.toString();
    }

    private CompletableFuture<?> send(String text) {
        sendLock.lock();
        try {
            // The JDK WebSocket allows one outstanding send; chain them. Failures do not block later sends.
            CompletableFuture<?> next = lastSend.handle((r, e) -> null)
                    .thenCompose(x -> ws.sendText(text, true));
            lastSend = next;
            return next;
        } finally {
            sendLock.unlock();
        }
    }

    // ---- inbound -----------------------------------------------------------------------------------------------

    private void dispatch(String text) {
        JsonNode m = Wire.mapper().readTree(text);
        JsonNode id = m.get("id");
        JsonNode method = m.get("method");
        if (method == null && id != null && (m.has("result") || m.has("error"))) {
            response(id, m);
        } else if (method != null && method.isString()) {
            switch (method.stringValue()) {
                case Methods.CONNECTED -> connected.complete(LENIENT.forType(Connected.class)
                        .readValue(m.get("params")));
                case Methods.PING -> send("{\"jsonrpc\":\"2.0\",\"method\":\"pong\"}");
                default -> inbound.notification(method.stringValue(), m.get("params"));
            }
        }
    }

    private void response(JsonNode id, JsonNode m) {
        JsonNode error = m.get("error");
        if (!id.isNumber()) {
            // id null: a message the server could not attribute; before connected, it refuses the session.
            if (error != null && !connected.isDone()) {
                connected.completeExceptionally(new ConnectFailedException("server refused the session: "
                        + error.path("message").asString() + " (" + error.path("code").asInt() + ")", -1, null));
            } else {
                LOG.log(System.Logger.Level.WARNING, "unattributed message from {0}: {1}", uri, m);
            }
            return;
        }
        Pending p = pending.remove(id.longValue());
        if (p == null) {
            if (gaveUpExecutes.remove(id.longValue()) != null && error == null) {
                inbound.lateExecute(m.get("result"));
            }
            return;
        }
        if (error != null) {
            JsonNode data = error.get("data");
            p.future.completeExceptionally(new RequestFailedException(p.method, error.path("code").asInt(),
                    error.path("message").asString(), data == null || data.isNull() ? null : data.toString()));
            return;
        }
        JsonNode result = m.get("result");
        if (p.onResult != null) {
            p.onResult.accept(result);
        }
        if (!p.future.complete(result) && Methods.EXECUTE.equals(p.method)) {
            inbound.lateExecute(result); // timed out just as it came
        }
    }

    /** The connection ended: fails every pending request with {@code why} (only the first cause counts). */
    void lost(CcxException why) {
        if (!ended.compareAndSet(null, why)) {
            return;
        }
        socketClosed.complete(null);
        connected.completeExceptionally(new ConnectFailedException("connection to " + uri + " closed before "
                + "connected: " + why.getMessage(), -1, why));
        for (Long id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future.completeExceptionally(why);
            }
        }
        inbound.lost(why);
    }

    /**
     * Closes with a close handshake, after the queued sends have left, each step bounded by a second; the
     * connection is aborted in any case. Reports {@code why} to the inbound if nothing was reported yet.
     */
    void close(CcxException why) {
        WebSocket w = ws;
        if (w != null && !socketClosed.isDone()) {
            try {
                CompletableFuture<?> queued;
                sendLock.lock();
                try {
                    queued = lastSend;
                } finally {
                    sendLock.unlock();
                }
                queued.handle((r, e) -> null).get(1, TimeUnit.SECONDS);
                w.sendClose(WebSocket.NORMAL_CLOSURE, "client closed").get(1, TimeUnit.SECONDS);
                socketClosed.get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // The close handshake is a courtesy; abort below ends the connection regardless.
            }
        }
        lost(why);
        abort();
    }

    /** Drops the connection at once. */
    void abort() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
    }

    /** The WebSocket listener: the single reader. Messages are handled one at a time, in order. */
    private final class Reader implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (partial.capacity() > (1 << 20)) {
                    partial.trimToSize();
                }
                try {
                    dispatch(text);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not handle a message from " + uri, e);
                }
            }
            if (backlog.proceed(() -> webSocket.request(1))) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost(new ConnectionLostException("connection to " + uri + " closed by the server (" + statusCode
                    + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")", null));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(new ConnectionLostException("connection to " + uri + " lost: " + error, error));
        }
    }

    /** The failure of a request made after the connection was lost: it was never sent. */
    private static CcxException notSent(CcxException why) {
        return why instanceof ConnectionLostException lost && !(why instanceof RequestNotSentException)
                ? new RequestNotSentException(lost) : why;
    }
}
