// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.AttachResult;
import dev.ccx.protocol.Connected;
import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.DetachResult;
import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteResult;
import dev.ccx.protocol.HookStatus;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.StdinResult;
import dev.ccx.protocol.UsageResult;
import dev.ccx.protocol.Wire;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.exec.ExecException;
import dev.ccx.server.exec.Execution;
import dev.ccx.server.exec.Executions;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.LogPositionException;
import dev.ccx.server.observe.Refusal;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.session.ClientSession;
import dev.ccx.server.timing.TimingService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Reads each inbound text message as a JSON-RPC request and answers it. Runs on the session's message thread, one
 * message at a time per session.
 *
 * <p>Every request gets exactly one response carrying its {@code id} ({@code null} when the id could not be read),
 * except {@code pong}, which is only a liveness signal. A request without an {@code id} is answered too, with
 * {@code id: null}, because the original answered such requests and its clients rely on it.
 */
public final class RpcDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcDispatcher.class);
    private static final List<String> CAPABILITIES =
            List.of("execute", "control", "stream", "argv", "idle_timeout", "multi_execution", "seq", "estimate",
                    "history", "stats", "attach", "stdin", "usage");
    /** The most one {@code stdin} request may carry, decoded. */
    static final int MAX_STDIN_BYTES = 1 << 20;
    /** The most stdin bytes that may wait for one process to read them; more is refused, never queued. */
    static final long MAX_STDIN_PENDING = 4L << 20;

    private final Executions executions;
    private final String version;
    private final Connected.Limits limits;
    private final Map<String, RpcMethod> methods;
    private final Duration stdinTimeout;
    private final ServerObserver observer;
    /** Sends the replies that come later (stdin), off the engine's and timer's threads. */
    private final ExecutorService replies = Threads.virtualPerTask("reply");

    /**
     * @param executions where commands run
     * @param timing     history and estimates
     * @param version    the server version for {@code connected}
     * @param limits     the limits announced in {@code connected}
     * @param stdinTimeout how long a {@code stdin} request waits for the process to read
     * @param usage      what Claude Code runs have cost and used, for {@code usage}
     * @param observer   told about refused executes
     */
    public RpcDispatcher(Executions executions, TimingService timing, String version,
                         Connected.Limits limits, Duration stdinTimeout, Supplier<UsageResult> usage,
                         ServerObserver observer) {
        this.executions = executions;
        this.observer = observer;
        this.stdinTimeout = stdinTimeout;
        this.version = version;
        this.limits = limits;
        TimingMethods timingMethods = new TimingMethods(timing);
        this.methods = Map.ofEntries(
                Map.entry(Methods.EXECUTE, this::execute),
                Map.entry(Methods.CONTROL, this::control),
                Map.entry(Methods.ATTACH, this::attach),
                Map.entry(Methods.DETACH, this::detach),
                Map.entry(Methods.EXECUTIONS, call -> call.reply(executions.list(call.session().principal()))),
                Map.entry(Methods.STDIN, this::stdin),
                Map.entry(Methods.ESTIMATE, timingMethods::estimate),
                Map.entry(Methods.HISTORY, timingMethods::history),
                Map.entry(Methods.STATS, timingMethods::stats),
                Map.entry(Methods.USAGE, call -> call.reply(usage.get())),
                Map.entry(Methods.HOOK_STATUS, call -> call.reply(new HookStatus(false,
                        "ccx runs no hooks; none are configured", List.of()))));
    }

    /** Greets a new session with {@code connected}. */
    public void opened(ClientSession session) {
        session.send(new Envelopes.Notification(Methods.CONNECTED, new Connected(session.sessionId(), version,
                CAPABILITIES, limits)));
        session.greeted();
    }

    /** The error sent to a connection refused because {@code max_sessions} are open. */
    public static String sessionLimitError(int maxSessions) {
        return Wire.mapper().writeValueAsString(ErrorMapper.error(ErrorCode.SESSION_LIMIT,
                sessionLimitMessage(maxSessions), Map.of("max", maxSessions), null));
    }

    /** Why a connection was refused at {@code max_sessions}. */
    public static String sessionLimitMessage(int maxSessions) {
        return "Session limit exceeded: the server already has " + maxSessions + " connections (max_sessions)";
    }

    /** Answers a binary frame, which the protocol does not use. */
    public void binary(ClientSession session) {
        session.send(ErrorMapper.error(ErrorCode.INVALID_REQUEST,
                "Binary frames are not supported; send JSON-RPC requests as text frames", null, null));
    }

    /** Handles one text message. Never throws. */
    public void message(ClientSession session, String text) {
        JsonNode root;
        try {
            root = Wire.mapper().readTree(text);
        } catch (JacksonException e) {
            session.send(ErrorMapper.error(ErrorCode.PARSE_ERROR, "Parse error: " + e.getOriginalMessage(), null,
                    null));
            return;
        }
        JsonNode id = null;
        try {
            if (root == null || !root.isObject()) {
                throw invalidRequest(root != null && root.isArray()
                        ? "Batch requests are not supported; send one request object per message"
                        : "A request must be a JSON object");
            }
            id = readId(root);
            JsonNode version = root.get("jsonrpc");
            if (version != null && !(version.isString() && version.stringValue().equals(Wire.JSONRPC))) {
                throw invalidRequest("jsonrpc must be \"2.0\"");
            }
            JsonNode method = root.get("method");
            if (method == null || !method.isString()) {
                throw invalidRequest("method must be a string");
            }
            if (method.stringValue().equals(Methods.PONG)) {
                return;
            }
            JsonNode params = root.get("params");
            if (params == null || params.isNull()) {
                params = JsonNodeFactory.instance.objectNode();
            } else if (!params.isObject()) {
                throw ParamReader.invalid("params must be an object, got " + ParamReader.describe(params));
            }
            dispatch(session, method.stringValue(), new Call(session, id, params));
        } catch (RuntimeException e) {
            session.send(ErrorMapper.toResponse(e, id));
        }
    }

    private void dispatch(ClientSession session, String name, Call call) {
        RpcMethod method = methods.get(name);
        if (method == null) {
            throw new ExecException(ErrorCode.METHOD_NOT_FOUND, "Unknown method: " + name,
                    Map.of("methods", methods.keySet().stream().sorted().toList()));
        }
        try {
            method.call(call);
            if (!call.replied()) {
                throw new IllegalStateException("method " + name + " did not reply");
            }
        } catch (RuntimeException e) {
            if (call.replied()) {
                LOG.error("session {}: {} failed after replying", session.sessionId(), name, e);
            } else {
                throw e;
            }
        }
    }

    /**
     * Starts the command, then places the result in front of its {@code process.started}. An execute whose
     * idempotency key started an execution before follows that one from its start instead, like {@code attach}.
     */
    private void execute(Call call) {
        Executions.Started started;
        try {
            started = executions.start(call.session(), ParamReader.execute(call.params()));
        } catch (ExecException e) {
            observer.refused(refusal(call, e));
            throw e;
        }
        Execution execution = started.execution();
        String node = executions.node(execution);
        if (!started.duplicate()) {
            call.session().follow(execution);
            call.replyInto(execution.ownerCursor(), new ExecuteResult("started", execution.pid(), execution.pid(),
                    execution.id(), node, null));
            return;
        }
        ExecuteResult result = new ExecuteResult(execution.isFinished() ? "completed" : "started", execution.pid(),
                execution.pid(), execution.id(), node, true);
        if (call.session().execution(execution.id()) != null) {
            call.reply(result); // this connection follows it already
            return;
        }
        Cursor cursor;
        try {
            cursor = call.session().attach(execution, execution.log().oldestSeq() - 1);
        } catch (LogPositionException gone) {
            call.reply(result); // its log is no longer kept: the id is all there is to give
            return;
        }
        call.replyInto(cursor, result);
    }

    /**
     * A refused execute, for metrics and the audit log: the limit named in the error's data, else the error's
     * name; the request as sent, but for the environment's values, which may hold secrets (their names stay).
     */
    private static Refusal refusal(Call call, ExecException e) {
        String limit = e.data() instanceof Map<?, ?> data && data.get("limit") instanceof String l ? l : null;
        Map<String, Object> request = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : call.params().properties()) {
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            if (field.getKey().equals("env") && value.isObject()) {
                request.put("env_names", List.copyOf(value.propertyNames()));
            } else {
                request.put(field.getKey(), Wire.mapper().treeToValue(value, Object.class));
            }
        }
        return new Refusal("execute", limit != null ? limit : e.code().name().toLowerCase(Locale.ROOT),
                limit != null, e.code().code(), e.getMessage(), call.session().sessionId(), call.session().remote(),
                request);
    }

    private void control(Call call) {
        ParamReader r = new ParamReader(call.params());
        String typeName = r.string("type");
        if (typeName == null) {
            throw ParamReader.invalid("params.type is required: PAUSE, RESUME or CANCEL");
        }
        ControlType type;
        try {
            type = ControlType.valueOf(typeName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ParamReader.invalid("params.type must be PAUSE, RESUME or CANCEL, got \"" + typeName + "\"");
        }
        Execution execution = target(call.session(), r.string("execution_id"), executions);
        Cursor cursor = call.session().cursor(execution.id());
        ControlResult result = execution.control(type, cursor);
        if (cursor != null) {
            call.replyInto(cursor, result);
        } else {
            call.reply(result);
        }
    }

    /**
     * The execution a request names: one this session follows (any follower may control it), or a kept one its
     * credentials may see (a kept execution is addressed from any connection: {@code ccx cancel ID}). An execution
     * that ends with its connection belongs to that connection and its followers only. Without an id, the only one
     * this session started and runs.
     */
    private static Execution target(ClientSession session, String executionId, Executions executions) {
        if (executionId != null) {
            Execution e = session.execution(executionId);
            if (e != null) {
                return e;
            }
            e = executions.find(executionId, session.principal());
            if (!e.ownership().keep() && !e.isFinished()) {
                throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "Execution " + executionId + " is not followed "
                        + "by this connection (it ends with the connection that started it; attach to follow it)");
            }
            return e;
        }
        List<Execution> running = session.executions();
        if (running.isEmpty()) {
            throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "No process is running");
        }
        if (running.size() > 1) {
            throw ParamReader.invalid("params.execution_id is required: " + running.size()
                    + " executions are running in this session");
        }
        return running.getFirst();
    }

    /** Follows an execution from a position: the result, then every notification after {@code from_seq}. */
    private void attach(Call call) {
        ParamReader r = new ParamReader(call.params());
        String id = r.requiredString("execution_id");
        long fromSeq = r.nonNegativeLong("from_seq", 0);
        Execution e = executions.find(id, call.session().principal());
        boolean completed = e.completed() != null;
        Cursor cursor;
        try {
            cursor = call.session().attach(e, fromSeq);
        } catch (LogPositionException p) {
            if (fromSeq < p.nextSeq() || p.logGone()) {
                throw new ExecException(ErrorCode.POSITION_GONE, p.logGone()
                        ? "The log of execution " + id + " is no longer kept (its retention ended, or it gave way to "
                                + "running executions at --log-total); it held seq 1 to " + (p.nextSeq() - 1)
                        : "The log of execution " + id + " no longer holds seq " + (fromSeq + 1) + "; the oldest it "
                                + "holds is " + p.oldestSeq() + " (attach with from_seq " + (p.oldestSeq() - 1)
                                + " to replay from there)",
                        Map.of("oldest_seq", p.oldestSeq(), "next_seq", p.nextSeq()));
            }
            throw ParamReader.invalid("params.from_seq " + fromSeq + " is beyond the newest seq of execution " + id
                    + ", " + (p.nextSeq() - 1));
        }
        call.replyInto(cursor, new AttachResult(id, completed ? "completed" : "running", e.log().nextSeq(),
                e.log().oldestSeq(), e.stdinOpen(), e.pid(), e.shortCommand()));
    }

    /** Stops following: the response comes after the last notification of it sent to this connection. */
    private void detach(Call call) {
        String id = new ParamReader(call.params()).requiredString("execution_id");
        call.session().detach(id, last -> call.encode(new DetachResult(id, "detached", last)));
        call.defer();
    }

    /** Writes to a process's stdin; answered once the bytes are in the pipe, or with the bounded error. */
    private void stdin(Call call) {
        ParamReader r = new ParamReader(call.params());
        String id = r.requiredString("execution_id");
        String text = r.string("data");
        String base64 = r.string("data_base64");
        boolean eof = r.bool("eof");
        if (text != null && base64 != null) {
            throw ParamReader.invalid("give params.data or params.data_base64, not both");
        }
        byte[] bytes;
        if (base64 != null) {
            if (base64.length() > MAX_STDIN_BYTES / 3 * 4 + 4) {
                throw tooBig(base64.length() / 4 * 3);
            }
            try {
                bytes = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException ex) {
                throw ParamReader.invalid("params.data_base64 is not valid base64: " + ex.getMessage());
            }
        } else {
            bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length > MAX_STDIN_BYTES) {
            throw tooBig(bytes.length);
        }
        if (bytes.length == 0 && !eof) {
            throw ParamReader.invalid("give params.data, params.data_base64 or params.eof: true");
        }
        Execution e = target(call.session(), id, executions);
        CompletableFuture<StdinResult> written = e.stdin(bytes, eof, stdinTimeout, MAX_STDIN_PENDING);
        Call.Reply reply = call.defer();
        written.whenCompleteAsync((result, failure) -> {
            if (failure == null) {
                reply.send(result);
            } else {
                reply.fail(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
            }
        }, replies);
    }

    private static ExecException tooBig(long bytes) {
        return new ExecException(ErrorCode.INVALID_PARAMS, "params.data is " + bytes + " bytes; one stdin request "
                + "carries at most " + MAX_STDIN_BYTES + " bytes: send it in several", Map.of("max", MAX_STDIN_BYTES));
    }

    /** Waits for the replies under way (each bounded by the send timeout). */
    @Override
    public void close() {
        replies.close();
    }

    private static JsonNode readId(JsonNode root) {
        JsonNode id = root.get("id");
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isString() && !id.isNumber()) {
            throw invalidRequest("id must be a string, a number or null, got " + ParamReader.describe(id));
        }
        return id;
    }

    private static ExecException invalidRequest(String message) {
        return new ExecException(ErrorCode.INVALID_REQUEST, message);
    }
}
