// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.Connected;
import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteResult;
import dev.ccx.protocol.HookStatus;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.Wire;
import dev.ccx.server.exec.ExecException;
import dev.ccx.server.exec.Execution;
import dev.ccx.server.exec.ExecutionService;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.session.ClientSession;
import dev.ccx.server.timing.TimingService;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
public final class RpcDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RpcDispatcher.class);
    private static final List<String> CAPABILITIES =
            List.of("execute", "control", "stream", "argv", "idle_timeout", "multi_execution", "seq", "estimate",
                    "history", "stats");

    private final ExecutionService executions;
    private final String version;
    private final Connected.Limits limits;
    private final Map<String, RpcMethod> methods;

    /**
     * @param executions where commands run
     * @param timing     history and estimates
     * @param version    the server version for {@code connected}
     * @param limits     the limits announced in {@code connected}
     */
    public RpcDispatcher(ExecutionService executions, TimingService timing, String version,
                         Connected.Limits limits) {
        this.executions = executions;
        this.version = version;
        this.limits = limits;
        TimingMethods timingMethods = new TimingMethods(timing);
        this.methods = Map.of(
                Methods.EXECUTE, this::execute,
                Methods.CONTROL, this::control,
                Methods.ESTIMATE, timingMethods::estimate,
                Methods.HISTORY, timingMethods::history,
                Methods.STATS, timingMethods::stats,
                Methods.HOOK_STATUS, call -> call.reply(new HookStatus(false,
                        "ccx runs no hooks; none are configured", List.of())));
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
                "Session limit exceeded: the server already has " + maxSessions + " connections (max_sessions)",
                Map.of("max", maxSessions), null));
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

    /** Starts the command, then places the result in front of its {@code process.started}. */
    private void execute(Call call) {
        Execution execution = executions.execute(call.session(), ParamReader.execute(call.params()));
        call.session().follow(execution);
        call.replyInto(execution.ownerCursor(), new ExecuteResult("started", execution.pid(), execution.pid(),
                execution.id()));
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
        Execution execution = target(call.session(), r.string("execution_id"));
        Cursor cursor = call.session().cursor(execution.id());
        ControlResult result = execution.control(type, cursor);
        if (cursor != null) {
            call.replyInto(cursor, result);
        } else {
            call.reply(result);
        }
    }

    private static Execution target(ClientSession session, String executionId) {
        if (executionId != null) {
            Execution e = session.execution(executionId);
            if (e == null) {
                throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "No running execution " + executionId
                        + " in this session (it has completed, or was never started here)");
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
