// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.AttachResult;
import dev.ccx.protocol.Connected;
import dev.ccx.protocol.ControlParams;
import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.ExecuteResult;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.StdinResult;
import dev.ccx.protocol.TaskEstimate;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

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
 * <p><b>Threads and flow.</b> One reader handles inbound messages in order: it completes requests, routes each
 * notification to the execution named by its {@code execution_id}, and answers the server's {@code ping} with
 * {@code pong}. It never runs user code: output listeners run on {@link ClientOptions#callbackExecutor()}, and the
 * reader reads on only while fewer than {@link ClientOptions#maxQueuedCallbacks()} listener calls wait, so slow
 * listeners slow the server's sending instead of filling memory. A request that times out is forgotten. All
 * threads the client starts are virtual threads owned by it, and its {@link HttpClient} is shut down on close.
 * Every blocking wait of the client is a {@link CompletableFuture#get} (a managed block), so calling it from a
 * {@link java.util.concurrent.ForkJoinPool} thread is safe: the JDK's HttpClient completes some of its own futures
 * on the common pool, which a plain {@code Thread.join} there could starve.
 *
 * <p><b>Closing.</b> {@link #close()} is idempotent and safe from any thread. It sends CANCEL to every execution
 * this client started that is still running, waits for their {@code process.completed} up to
 * {@link ClientOptions#closeTimeout()}, fails whatever is still open with {@link ClientClosedException}, closes the
 * WebSocket and shuts down the HTTP client. Kept executions ({@link Command#keep}) are not canceled: they are
 * detached and run on, for their linger. A lost connection fails every open request and every handle of a killed-on-
 * disconnect execution at once with {@link ConnectionLostException}.
 *
 * <p><b>Riding out a lost connection.</b> When the connection drops while the client follows kept executions, it
 * connects again (back-off from 100 ms to 2 s, for at most {@link ClientOptions#reconnectTimeout()}) and attaches to
 * each from the last {@code seq} it saw: {@link RunningCommand#await()} and the listeners go on with no line missing
 * or repeated. Requests made meanwhile wait for the new connection. If it cannot be had in time, everything open
 * fails with {@link ConnectionLostException}. Without kept executions, a lost connection leaves the client
 * unusable, and {@code close()} only releases its resources.
 *
 * <p>Thread-safe.
 */
public final class CcxClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CcxClient.class.getName());
    /** Starts a virtual thread per task; nothing to shut down, a thread ends with its task. */
    private static final Executor VIRTUAL = r -> Thread.ofVirtual().name("ccx-client").start(r);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final URI uri;
    private final ClientOptions options;
    private final HttpClient http;
    private final Executor callbackBase;
    private final Backlog backlog;
    private final AtomicLong ids = new AtomicLong();
    private final ExecutionRouter router = new ExecutionRouter();
    /** The connection in use; replaced by a pending one while the client reconnects. */
    private volatile CompletableFuture<RpcChannel> channel;
    /** The first connection's {@code connected}: the session the client was opened with. */
    private volatile Connected first;
    /** Why the client can no longer send: null while open. Set once. */
    private final AtomicReference<CcxException> ended = new AtomicReference<>();

    private CcxClient(URI uri, ClientOptions options) {
        this.uri = uri;
        this.options = options;
        this.callbackBase = options.callbackExecutor() != null ? options.callbackExecutor() : VIRTUAL;
        this.backlog = new Backlog(options.maxQueuedCallbacks());
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
            RpcChannel ch = c.openChannel();
            c.first = ch.connected();
            c.channel = CompletableFuture.completedFuture(ch);
            return c;
        } catch (RuntimeException e) {
            c.ended.set(new ClientClosedException("client for " + uri + " could not connect"));
            c.shutdownHttp();
            throw e;
        }
    }

    /** {@link #connect(URI, ClientOptions)} with {@link ClientOptions#defaults()}. */
    public static CcxClient connect(URI uri) {
        return connect(uri, ClientOptions.defaults());
    }

    private RpcChannel openChannel() {
        return openChannel(uri);
    }

    private RpcChannel openChannel(URI to) {
        return RpcChannel.open(to, options, http, VIRTUAL, backlog, ids, new Inbound());
    }

    /** The server's id of this session (of the first connection, when the client has reconnected since). */
    public String sessionId() {
        return first.sessionId();
    }

    /**
     * The limits the server applies to this session (executions at once, message and line sizes). A server that
     * sends none (the original CC Executor) gets the original's rules: one execution per session, 10 MiB messages,
     * 8 MiB lines, no known global limit.
     */
    public Connected.Limits limits() {
        Connected.Limits l = first.limits();
        return l != null ? l : new Connected.Limits(1, Integer.MAX_VALUE, 10L << 20, 8 << 20);
    }

    /** The whole {@code connected} notification: session id, server version, capabilities, limits. */
    public Connected serverInfo() {
        return first;
    }

    /** The options this client was opened with. */
    public ClientOptions options() {
        return options;
    }

    /** The server's URI. */
    public URI uri() {
        return uri;
    }

    /** Whether the client can still send: not closed, connection not lost for good. */
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
        RunningCommand rc = newHandle(command, command.keep(), listener);
        return call(Methods.EXECUTE, command.toParams(), result -> {
            // On the reader, before the next message: notifications about it find it registered.
            rc.started(RpcChannel.LENIENT.forType(ExecuteResult.class).readValue(result));
            follow(rc);
        }).thenApply(r -> rc);
    }

    /**
     * Follows an execution that runs (or ran) on the server, from any connection with the credentials it was
     * started with: every notification after {@code fromSeq} (0: from the start) is replayed to {@code listener},
     * then the live ones. The handle completes as one from {@link #execute} does, and it rides out connection losses
     * like a kept execution.
     *
     * @throws RequestFailedException -32002 no such execution (unknown, other credentials, or past its retention),
     *                                -32008 {@code fromSeq} was evicted from its log (the error's data has the
     *                                {@code oldest_seq} still held), -32006 already followed on this connection
     */
    public RunningCommand attach(String executionId, long fromSeq, OutputListener listener) {
        return attach(executionId, fromSeq, listener, 0);
    }

    /**
     * {@link #attach(String, long, OutputListener)} whose handle delivers output to {@code listener} only, in lines
     * of up to {@code streamLines} characters, as {@link Command#streamOnly} does ({@code 0}: collect as usual).
     */
    public RunningCommand attach(String executionId, long fromSeq, OutputListener listener, int streamLines) {
        if (fromSeq < 0) {
            throw new IllegalArgumentException("fromSeq must be >= 0, got " + fromSeq);
        }
        RunningCommand[] rc = new RunningCommand[1];
        CompletableFuture<JsonNode> f = call(Methods.ATTACH, Map.of("execution_id", executionId, "from_seq", fromSeq),
                result -> {
                    AttachResult a = RpcChannel.LENIENT.forType(AttachResult.class).readValue(result);
                    Command shown = Command.shell(a.command() == null || a.command().isBlank()
                            ? "(execution " + executionId + ")" : a.command());
                    rc[0] = newHandle(streamLines > 0 ? shown.streamOnly(streamLines) : shown, true, listener);
                    rc[0].attached(a, fromSeq);
                    follow(rc[0]);
                });
        join(f, "attach " + executionId);
        return rc[0];
    }

    /** {@link #attach(String, long, OutputListener)} without a listener: the output is collected in the result. */
    public RunningCommand attach(String executionId, long fromSeq) {
        return attach(executionId, fromSeq, null);
    }

    /** The executions this client's credentials may see: running ones, then ended ones still retained. */
    public List<ExecutionList.ExecutionInfo> executions() {
        return request(Methods.EXECUTIONS, Map.of(), ExecutionList.class).executions();
    }

    /** Runs {@code command} to its end: {@link #execute(Command)} then {@link RunningCommand#await(Duration)}. */
    public CommandResult run(Command command, Duration timeout) {
        return execute(command).await(timeout);
    }

    /** The deadline an {@code execute} of {@code command} without a timeout would get, without running it. */
    public TaskEstimate estimate(Command command) {
        return request(Methods.ESTIMATE, command.keyParams(), TaskEstimate.class);
    }

    private RunningCommand newHandle(Command command, boolean kept, OutputListener listener) {
        return new RunningCommand(this, command, kept, new SerialExecutor(callbackBase, backlog),
                options.maxBufferedOutput(), listener);
    }

    /** Registers a started or attached handle; on the reader, before the next message. */
    private void follow(RunningCommand rc) {
        router.add(rc);
        CcxException why = ended.get();
        if (why != null) {
            // Started while the client was closing: nobody will see it, so end (or leave) it at once.
            router.remove(rc);
            rc.fail(why);
            if (!rc.isKept()) {
                notifyServer(Methods.CONTROL, new ControlParams(ControlType.CANCEL, rc.executionId()));
            }
        }
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
        return RpcChannel.LENIENT.forType(type).readValue(join(requestAsync(method, params), method));
    }

    /**
     * PAUSE, RESUME or CANCEL by id: an execution this client follows, or a kept one its token may see (from any
     * connection, as {@code ccx cancel ID} does).
     *
     * @throws RequestFailedException -32002 no such execution (or ended), -32006 not in a state for it
     */
    public ControlResult control(ControlType type, String executionId) {
        return join(controlAsync(type, executionId), "control " + type + " of execution " + executionId);
    }

    CompletableFuture<ControlResult> controlAsync(ControlType type, String executionId) {
        return call(Methods.CONTROL, new ControlParams(type, executionId), null)
                .thenApply(r -> RpcChannel.LENIENT.forType(ControlResult.class).readValue(r));
    }

    /**
     * Writes {@code bytes} (at most 1 MiB) to an execution's stdin by id, then closes it if {@code eof}; returns once
     * they are in the process's pipe. For a handle of this client, {@link RunningCommand#stdin()} streams instead.
     *
     * @throws RequestFailedException -32009 not read in time, -32010 no stdin or closed, -32011 too much waiting
     */
    public StdinResult stdin(String executionId, byte[] bytes, boolean eof) {
        return RpcChannel.LENIENT.forType(StdinResult.class).readValue(join(stdinAsync(executionId, bytes, eof),
                "stdin of execution " + executionId));
    }

    CompletableFuture<JsonNode> stdinAsync(String executionId, byte[] bytes, boolean eof) {
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("execution_id", executionId);
        if (bytes.length > 0) {
            params.put("data_base64", java.util.Base64.getEncoder().encodeToString(bytes));
        }
        if (eof) {
            params.put("eof", true);
        }
        return call(Methods.STDIN, params, null);
    }

    /** Stops following {@code rc}; the handle fails with {@link DetachedException} once the server confirms. */
    void detach(RunningCommand rc) {
        JsonNode r = join(call(Methods.DETACH, Map.of("execution_id", rc.executionId()), result -> {
            router.remove(rc); // on the reader: nothing of it arrives after this response
        }), "detach " + rc.executionId());
        rc.fail(new DetachedException(rc.executionId(), r.path("last_seq").asLong(rc.lastSeq())));
    }

    /** Sends a request on the connection in use, waiting for a reconnection under way (bounded by it). */
    private CompletableFuture<JsonNode> call(String method, Object params, Consumer<JsonNode> onResult) {
        CcxException why = ended.get();
        if (why != null) {
            return CompletableFuture.failedFuture(why);
        }
        return channel.thenCompose(ch -> ch.call(method, params, onResult));
    }

    /** Sends a request without waiting for its answer on the connection in use; dropped while reconnecting. */
    private void notifyServer(String method, Object params) {
        RpcChannel ch = channel.isCompletedExceptionally() ? null : channel.getNow(null);
        if (ch != null) {
            ch.notify(method, params);
        }
    }

    /** Blocks for a future of this client and rethrows its failure as the {@link CcxException} it carries. */
    <T> T join(CompletableFuture<T> f, String what) {
        try {
            // The future has its own request timeout (and a reconnection its own bound); this only guards a bug.
            return f.get(options.requestTimeout().plus(options.reconnectTimeout()).toNanos() * 2,
                    TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CcxException("interrupted while waiting for " + what, e);
        } catch (TimeoutException e) {
            throw new CcxTimeoutException(what + " got no answer within " + options.requestTimeout());
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
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

    // ---- a lost connection -------------------------------------------------------------------------------------

    /** What a connection hands to the client. */
    private final class Inbound implements RpcChannel.Inbound {
        @Override
        public void notification(String method, JsonNode params) {
            router.notification(method, params);
        }

        @Override
        public void lateExecute(JsonNode result) {
            // The caller gave up (request timeout) but the server started it: nobody owns it, so end it.
            String id = result == null ? null : result.path("execution_id").asString(null);
            if (id != null) {
                notifyServer(Methods.CONTROL, new ControlParams(ControlType.CANCEL, id));
            }
        }

        @Override
        public void lost(CcxException why) {
            connectionLost(why);
        }
    }

    /**
     * The connection in use is gone: handles of killed-on-disconnect executions fail at once; if kept ones are
     * followed, the client connects again and re-attaches them, else it is done.
     */
    private void connectionLost(CcxException why) {
        CompletableFuture<RpcChannel> lostOne = channel;
        if (lostOne == null || !lostOne.isDone() || lostOne.isCompletedExceptionally()) {
            return; // a connection that a reconnection under way opened and lost: the loop tries again
        }
        boolean reconnect = ended.get() == null && !router.kept().isEmpty();
        if (!reconnect) {
            ended.compareAndSet(null, why); // before the handles fail: whoever sees a failure sees a closed client
        }
        CcxException cause = ended.get() != null ? ended.get() : why;
        router.fail(rc -> !reconnect || !rc.isKept(), rc -> about(rc, cause));
        if (!reconnect) {
            return;
        }
        CompletableFuture<RpcChannel> next = new CompletableFuture<>();
        channel = next;
        LOG.log(System.Logger.Level.INFO, "{0}; reconnecting to follow {1} kept execution(s)", why.getMessage(),
                router.kept().size());
        VIRTUAL.execute(() -> reconnect(next, why));
    }

    private void reconnect(CompletableFuture<RpcChannel> next, CcxException why) {
        long deadline = System.nanoTime() + options.reconnectTimeout().toNanos();
        long backoff = FIRST_BACKOFF_NANOS;
        CcxException last = why;
        List<URI> nodes = new ArrayList<>();
        nodes.add(uri);
        nodes.addAll(options.alternates());
        int attempt = 0;
        while (ended.get() == null) {
            try {
                // The node it was on first, then the other nodes of its cluster, in turn.
                RpcChannel ch = openChannel(nodes.get(attempt++ % nodes.size()));
                if (reattach(ch)) {
                    next.complete(ch);
                    if (ended.get() != null) {
                        ch.close(ended.get());
                    } else if (ch.ended() != null) {
                        connectionLost(ch.ended()); // lost again before it was in use: its report was ignored
                    }
                    return;
                }
                last = ch.ended() != null ? ch.ended() : last;
                ch.abort();
            } catch (CcxException e) {
                last = e;
            }
            if (System.nanoTime() + backoff - deadline > 0) {
                break;
            }
            LockSupport.parkNanos(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        }
        CcxException gaveUp = ended.get() != null ? ended.get() : new ConnectionLostException("connection to " + uri
                + " lost (" + why.getMessage() + ") and not regained within " + options.reconnectTimeout() + ": "
                + last.getMessage(), last);
        ended.compareAndSet(null, gaveUp);
        next.completeExceptionally(gaveUp);
        router.fail(rc -> true, rc -> about(rc, gaveUp));
    }

    /**
     * Attaches every kept handle on {@code ch} from the last {@code seq} it saw; returns whether the connection held
     * for all of them. A handle whose execution cannot be attached any more fails, naming why.
     */
    private boolean reattach(RpcChannel ch) {
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        List<RunningCommand> kept = router.kept();
        for (RunningCommand rc : kept) {
            calls.add(ch.call(Methods.ATTACH, Map.of("execution_id", rc.executionId(), "from_seq", rc.lastSeq()),
                    null));
        }
        for (int i = 0; i < calls.size(); i++) {
            try {
                calls.get(i).get(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RequestFailedException r) {
                    RunningCommand rc = kept.get(i);
                    router.remove(rc);
                    rc.fail(new ConnectionLostException("execution " + rc.executionId() + " could not be attached "
                            + "again after the connection to " + uri + " was lost: " + r.getMessage(), r));
                } else {
                    return false;
                }
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return ch.ended() == null;
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
     * Cancels every killed-on-disconnect execution this client follows, waits up to
     * {@link ClientOptions#closeTimeout()} for them to end, detaches the kept ones (they run on), fails what is still
     * open with {@link ClientClosedException}, closes the WebSocket and releases every thread. Idempotent; never
     * throws.
     */
    @Override
    public void close() {
        ClientClosedException closed = new ClientClosedException("client for " + uri + " was closed");
        if (ended.compareAndSet(null, closed)) {
            RpcChannel ch = channel.getNow(null);
            if (ch != null && ch.ended() == null) {
                List<CompletableFuture<?>> ends = new ArrayList<>();
                for (RunningCommand rc : router.all()) {
                    if (!rc.isKept()) {
                        ends.add(rc.result());
                        ch.notify(Methods.CONTROL, new ControlParams(ControlType.CANCEL, rc.executionId()));
                    }
                }
                try {
                    CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                            .get(options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // Failed or late handles are failed below.
                }
            }
            router.fail(rc -> true, rc -> rc.isKept() ? new DetachedException(rc.executionId(), rc.lastSeq())
                    : about(rc, closed));
            if (ch != null) {
                ch.close(closed);
            } else {
                channel.completeExceptionally(closed); // a reconnection under way ends with the client
            }
        }
        shutdownHttp();
    }

    private void shutdownHttp() {
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
}
