// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.Connected;
import dev.ccx.protocol.ControlParams;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.ExecuteResult;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.ProcessEvent;
import dev.ccx.protocol.ProcessOutput;
import dev.ccx.protocol.TaskEstimate;
import dev.ccx.protocol.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
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
 * One connection to a ccx server: runs commands and sends requests over a single WebSocket.
 *
 * <p><b>Opening.</b> {@link #connect} opens the WebSocket (sending {@code Authorization: Bearer} when a token is
 * set, using {@link ClientOptions#sslContext()} for {@code wss://}) and returns once the server's
 * {@code connected} notification arrived, within {@link ClientOptions#connectTimeout()}; otherwise it throws
 * {@link ConnectFailedException} with nothing left open.
 *
 * <p><b>Requests.</b> Every request gets a numeric id; its response completes the matching future. Each future
 * fails with {@link CcxTimeoutException} after {@link ClientOptions#requestTimeout()}, with
 * {@link RequestFailedException} for a JSON-RPC error, and with {@link ConnectionLostException} or
 * {@link ClientClosedException} when the connection ends first. The blocking methods ({@link #execute},
 * {@link #request}...) wait on these futures and throw the same exceptions. Dependent stages of the futures this
 * class returns run on a virtual thread, never on the socket reader.
 *
 * <p><b>Threads.</b> One reader handles inbound messages in order: it completes requests, routes each
 * notification to the execution named by its {@code execution_id}, and answers the server's {@code ping} with
 * {@code pong}. It never runs user code: output listeners run on {@link ClientOptions#callbackExecutor()}. All
 * threads the client starts are virtual threads owned by it, and its {@link HttpClient} is shut down on close.
 * Every blocking wait of the client is a {@link CompletableFuture#get} (a managed block), so calling it from a
 * {@link java.util.concurrent.ForkJoinPool} thread is safe: the JDK's HttpClient completes some of its own futures
 * on the common pool, which a plain {@code Thread.join} there could starve.
 *
 * <p><b>Closing.</b> {@link #close()} is idempotent and safe from any thread. It sends CANCEL to every execution
 * this client started that is still running, waits for their {@code process.completed} up to
 * {@link ClientOptions#closeTimeout()}, fails whatever is still open with {@link ClientClosedException}, closes the
 * WebSocket and shuts down the HTTP client. A lost connection fails every open request and handle at once with
 * {@link ConnectionLostException}; the client is then unusable, and {@code close()} only releases its resources.
 *
 * <p>Thread-safe.
 */
public final class CcxClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CcxClient.class.getName());
    /** Starts a virtual thread per task; nothing to shut down, a thread ends with its task. */
    private static final Executor VIRTUAL = r -> Thread.ofVirtual().name("ccx-client").start(r);
    /**
     * Reads wire records leniently: a field the peer leaves out (the original CC Executor sends no {@code seq},
     * {@code execution_id} or {@code reason}) becomes 0, false or null instead of failing the message.
     */
    private static final ObjectReader LENIENT = Wire.mapper().reader()
            .without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final URI uri;
    private final ClientOptions options;
    private final HttpClient http;
    private final Executor callbackBase;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, RunningCommand> executions = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<Connected> connected = new CompletableFuture<>();
    /** Why the client can no longer send: null while open. Set once. */
    private final AtomicReference<CcxException> ended = new AtomicReference<>();
    private final CompletableFuture<Void> socketClosed = new CompletableFuture<>();
    private final ReentrantLock sendLock = new ReentrantLock();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket ws;

    /** A request waiting for its response; {@code onResult} runs on the reader before {@code future} completes. */
    private record Pending(String method, CompletableFuture<JsonNode> future, Consumer<JsonNode> onResult) {
    }

    private CcxClient(URI uri, ClientOptions options) {
        this.uri = uri;
        this.options = options;
        this.callbackBase = options.callbackExecutor() != null ? options.callbackExecutor() : VIRTUAL;
        HttpClient.Builder b = HttpClient.newBuilder().executor(VIRTUAL).connectTimeout(options.connectTimeout());
        if (options.sslContext() != null) {
            b.sslContext(options.sslContext());
        }
        this.http = b.build();
    }

    /**
     * Connects to {@code uri} ({@code ws://HOST:PORT/ws/mcp} or {@code wss://...}) and waits for {@code connected}.
     *
     * @throws ConnectFailedException the connection could not be opened, or {@code connected} did not arrive in
     *                                time; nothing is left open
     */
    public static CcxClient connect(URI uri, ClientOptions options) {
        CcxClient c = new CcxClient(uri, options);
        try {
            c.open();
            return c;
        } catch (RuntimeException e) {
            c.release();
            throw e;
        }
    }

    /** {@link #connect(URI, ClientOptions)} with {@link ClientOptions#defaults()}. */
    public static CcxClient connect(URI uri) {
        return connect(uri, ClientOptions.defaults());
    }

    private void open() {
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

    /** The server's id of this session. */
    public String sessionId() {
        return connected.join().sessionId();
    }

    /**
     * The limits the server applies to this session (executions at once, message and line sizes). A server that
     * sends none (the original CC Executor) gets the original's rules: one execution per session, 10 MiB messages,
     * 8 MiB lines, no known global limit.
     */
    public Connected.Limits limits() {
        Connected.Limits l = connected.join().limits();
        return l != null ? l : new Connected.Limits(1, Integer.MAX_VALUE, 10L << 20, 8 << 20);
    }

    /** The whole {@code connected} notification: session id, server version, capabilities, limits. */
    public Connected serverInfo() {
        return connected.join();
    }

    /** The options this client was opened with. */
    public ClientOptions options() {
        return options;
    }

    /** The server's URI. */
    public URI uri() {
        return uri;
    }

    /** Whether the client can still send: not closed, connection not lost. */
    public boolean isOpen() {
        return ended.get() == null;
    }

    // ---- executions --------------------------------------------------------------------------------------------

    /** Starts {@code command}; see {@link #executeAsync(Command, OutputListener)}. Blocks for the response. */
    public RunningCommand execute(Command command) {
        return execute(command, null);
    }

    /**
     * Starts {@code command} with {@code listener} registered before any output can arrive, and blocks until the
     * server answers (at most {@link ClientOptions#requestTimeout()}).
     *
     * @throws RequestFailedException the server refused it (spawn failed -32005, process limit -32004,
     *                                not allowed -32001, bad params -32602...)
     */
    public RunningCommand execute(Command command, OutputListener listener) {
        return join(executeAsync(command, listener), "execute " + command.describe());
    }

    /**
     * Starts {@code command}. The future completes with the handle once the server has started it, or fails with
     * a {@link CcxException}. If the request times out on the client and the server starts the command anyway,
     * the client cancels it as soon as the late response arrives.
     */
    public CompletableFuture<RunningCommand> executeAsync(Command command, OutputListener listener) {
        RunningCommand rc = new RunningCommand(this, command, new SerialExecutor(callbackBase),
                options.maxBufferedOutput(), listener);
        return call(Methods.EXECUTE, command.toParams(), result -> {
            // On the reader, before the next message: notifications about it find it registered.
            ExecuteResult r = read(result, ExecuteResult.class);
            rc.started(r);
            executions.put(rc.key(), rc);
            CcxException why = ended.get();
            if (why != null) {
                // Started while the client was closing: nobody will see it, so end it at once.
                executions.remove(rc.key());
                rc.fail(why);
                sendText(cancelRequest(r.executionId()));
            }
        }).thenApply(r -> rc);
    }

    /** Runs {@code command} to its end: {@link #execute(Command)} then {@link RunningCommand#await(Duration)}. */
    public CommandResult run(Command command, Duration timeout) {
        return execute(command).await(timeout);
    }

    /** The deadline an {@code execute} of {@code command} without a timeout would get, without running it. */
    public TaskEstimate estimate(Command command) {
        return request(Methods.ESTIMATE, command.keyParams(), TaskEstimate.class);
    }

    // ---- generic requests --------------------------------------------------------------------------------------

    /**
     * Sends any request and returns its {@code result} (or fails as described in the class comment). For methods
     * without a dedicated call here ({@code history}, {@code stats}, {@code hook_status}).
     */
    public CompletableFuture<JsonNode> requestAsync(String method, Object params) {
        return call(method, params, null);
    }

    /** Sends a request, blocks for its result, and converts it to {@code type}. */
    public <T> T request(String method, Object params, Class<T> type) {
        return read(join(requestAsync(method, params), method), type);
    }

    CompletableFuture<Void> controlAsync(ControlType type, String executionId) {
        return call(Methods.CONTROL, new ControlParams(type, executionId), null).thenApply(r -> null);
    }

    private CompletableFuture<JsonNode> call(String method, Object params, Consumer<JsonNode> onResult) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        CcxException why = ended.get();
        if (why != null) {
            f.completeExceptionally(why);
            return f;
        }
        long id = ids.incrementAndGet();
        ObjectNode req = Wire.mapper().createObjectNode();
        req.put("jsonrpc", Wire.JSONRPC);
        req.put("id", id);
        req.put("method", method);
        req.set("params", Wire.mapper().valueToTree(params));
        pending.put(id, new Pending(method, f, onResult));
        why = ended.get();
        if (why != null) {
            // The connection ended between the check and the put; its sweep may have missed this entry.
            pending.remove(id);
            f.completeExceptionally(why);
            return f;
        }
        sendText(req.toString()).whenComplete((v, e) -> {
            if (e != null) {
                // A socket that cannot be written is gone, whether or not the reader has noticed yet.
                lost(new ConnectionLostException("connection to " + uri + " broke: could not send " + method
                        + ": " + e, e));
                WebSocket w = ws;
                if (w != null) {
                    w.abort();
                }
            }
        });
        Duration t = options.requestTimeout();
        // orTimeout drops its timer when f completes. The entry stays in pending after a timeout: a late execute
        // response must still be seen, to cancel what nobody waits for.
        f.orTimeout(t.toNanos(), TimeUnit.NANOSECONDS);
        // Keep user continuations off the reader, which completes f.
        return f.handleAsync((r, e) -> {
            if (e == null) {
                return r;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                throw new CcxTimeoutException("no response to " + method + " (id " + id + ") from " + uri
                        + " within " + t);
            }
            throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
        }, VIRTUAL);
    }

    private CompletableFuture<?> sendText(String text) {
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

    /** Blocks for a future of this client and rethrows its failure as the {@link CcxException} it carries. */
    <T> T join(CompletableFuture<T> f, String what) {
        try {
            // The future has its own request timeout; this bound only guards against a bug.
            return f.get(options.requestTimeout().toNanos() * 2, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CcxException("interrupted while waiting for " + what, e);
        } catch (TimeoutException e) {
            throw new CcxTimeoutException(what + " got no answer within " + options.requestTimeout());
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static <T> T read(JsonNode node, Class<T> type) {
        return LENIENT.forType(type).readValue(node);
    }

    static CcxException rethrow(Throwable t) {
        while (t instanceof CompletionException || t instanceof ExecutionException) {
            if (t.getCause() == null) {
                break;
            }
            t = t.getCause();
        }
        if (t instanceof CcxException c) {
            return c;
        }
        return new CcxException(String.valueOf(t), t);
    }

    // ---- inbound -----------------------------------------------------------------------------------------------

    private void dispatch(String text) {
        JsonNode m = Wire.mapper().readTree(text);
        JsonNode id = m.get("id");
        JsonNode method = m.get("method");
        if (method == null && id != null && (m.has("result") || m.has("error"))) {
            response(id, m);
        } else if (method != null && method.isString()) {
            notification(method.stringValue(), m.get("params"));
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
            // The caller gave up (request timeout) but the server started it: nobody owns it, so end it.
            RunningCommand rc = route(result);
            if (rc != null) {
                rc.cancelAsync();
            }
        }
    }

    private void notification(String method, JsonNode params) {
        switch (method) {
            case Methods.CONNECTED -> connected.complete(read(params, Connected.class));
            case Methods.PING -> sendText("{\"jsonrpc\":\"2.0\",\"method\":\"pong\"}");
            default -> {
                if (params == null || !method.startsWith("process.")) {
                    return;
                }
                RunningCommand rc = route(params);
                if (rc == null) {
                    return;
                }
                switch (method) {
                    case Methods.PROCESS_OUTPUT -> rc.onOutput(read(params, ProcessOutput.class));
                    case Methods.PROCESS_STARTED -> rc.onStarted(read(params, ProcessEvent.class));
                    case Methods.PROCESS_COMPLETED -> {
                        executions.remove(rc.key());
                        rc.onCompleted(read(params, ProcessCompleted.class));
                    }
                    default -> { } // paused, resumed, canceled, error: the control's response already said so
                }
            }
        }
    }

    /**
     * The execution a message is about: by {@code execution_id}, or, from a server that sends none (the original
     * CC Executor, one execution per session), the only one running.
     */
    private RunningCommand route(JsonNode params) {
        JsonNode id = params.get("execution_id");
        if (id != null && id.isString()) {
            return executions.get(id.stringValue());
        }
        if (executions.size() == 1) {
            for (RunningCommand rc : executions.values()) {
                return rc;
            }
        }
        return null;
    }

    /** The connection ended; fails everything open with {@code why} (only the first cause counts). */
    private void lost(CcxException why) {
        ended.compareAndSet(null, why);
        CcxException cause = ended.get();
        socketClosed.complete(null);
        connected.completeExceptionally(new ConnectFailedException("connection to " + uri + " closed before "
                + "connected: " + cause.getMessage(), -1, cause));
        failOpen(cause);
    }

    private void failOpen(CcxException why) {
        for (Long id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future.completeExceptionally(why);
            }
        }
        for (String id : List.copyOf(executions.keySet())) {
            RunningCommand rc = executions.remove(id);
            if (rc != null) {
                rc.fail(about(rc, why));
            }
        }
    }

    /** The failure as one handle reports it: the same kind, naming the execution. */
    private CcxException about(RunningCommand rc, CcxException why) {
        String what = "execution " + rc.executionId() + " (" + rc.command().describe() + ", pid " + rc.pid() + ")";
        if (why instanceof ClientClosedException) {
            return new ClientClosedException(what + " had not reported its end within " + options.closeTimeout()
                    + " after CANCEL when the client for " + uri + " was closed");
        }
        if (why instanceof ConnectionLostException) {
            return new ConnectionLostException(what + " was running when the " + why.getMessage(), why);
        }
        return why;
    }

    // ---- closing -----------------------------------------------------------------------------------------------

    /**
     * Cancels every execution of this client still running, waits up to {@link ClientOptions#closeTimeout()} for
     * them to end, fails what is still open with {@link ClientClosedException}, closes the WebSocket and releases
     * every thread. Idempotent; never throws.
     */
    @Override
    public void close() {
        ClientClosedException closed = new ClientClosedException("client for " + uri + " was closed");
        boolean first = ended.compareAndSet(null, closed);
        if (first) {
            List<RunningCommand> running = new ArrayList<>(executions.values());
            List<CompletableFuture<?>> ends = new ArrayList<>();
            for (RunningCommand rc : running) {
                // Sent directly: call() refuses once the client is marked closed.
                ends.add(rc.result());
                sendText(cancelRequest(rc.executionId()));
            }
            try {
                CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                        .get(options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // Failed or late handles are failed below.
            }
            failOpen(ended.get());
        }
        release();
    }

    private String cancelRequest(String executionId) {
        ObjectNode req = Wire.mapper().createObjectNode();
        req.put("jsonrpc", Wire.JSONRPC);
        req.put("id", ids.incrementAndGet());
        req.put("method", Methods.CONTROL);
        req.set("params", Wire.mapper().valueToTree(new ControlParams(ControlType.CANCEL, executionId)));
        return req.toString();
    }

    /** Closes the socket (bounded) and shuts down the HTTP client; safe to call more than once. */
    private void release() {
        ended.compareAndSet(null, new ClientClosedException("client for " + uri + " was closed"));
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
                // Let queued CANCELs leave before the close frame.
                queued.handle((r, e) -> null).get(1, TimeUnit.SECONDS);
                w.sendClose(WebSocket.NORMAL_CLOSURE, "client closed").get(1, TimeUnit.SECONDS);
                socketClosed.get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // The close handshake is a courtesy; abort below ends the connection regardless.
            }
        }
        if (w != null) {
            w.abort();
        }
        failOpen(ended.get());
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "CcxClient[" + uri + (isOpen() ? "" : ", " + ended.get().getMessage()) + "]";
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
            webSocket.request(1);
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
}
