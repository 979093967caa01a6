// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.Methods;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.ProcessEvent;
import dev.ccx.protocol.ProcessOutput;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The executions a client follows, and the routing of each notification to its handle: by {@code execution_id}, or,
 * from a server that sends none (the original CC Executor, one execution per session), to the only one.
 *
 * <p>Every notification with a {@code seq} at or below the last one a handle has seen is dropped: after a
 * re-attach, no line is handed out twice, whatever the server sends.
 */
final class ExecutionRouter {
    private final Map<String, RunningCommand> handles = new ConcurrentHashMap<>();

    void add(RunningCommand rc) {
        handles.put(rc.key(), rc);
    }

    void remove(RunningCommand rc) {
        handles.remove(rc.key(), rc);
    }

    /** Handles followed now. */
    List<RunningCommand> all() {
        return List.copyOf(handles.values());
    }

    /** Handles of kept executions still running: these outlive a lost connection. */
    List<RunningCommand> kept() {
        return handles.values().stream().filter(rc -> rc.isKept() && !rc.isDone()).toList();
    }

    /** Routes one notification; on the reader. */
    void notification(String method, JsonNode params) {
        if (params == null || !method.startsWith("process.")) {
            return;
        }
        RunningCommand rc = route(params);
        if (rc == null || !rc.advanceTo(params.path("seq").asLong(0))) {
            return;
        }
        switch (method) {
            case Methods.PROCESS_OUTPUT -> rc.onOutput(read(params, ProcessOutput.class));
            case Methods.PROCESS_STARTED -> rc.onStarted(read(params, ProcessEvent.class));
            case Methods.PROCESS_COMPLETED -> {
                remove(rc);
                rc.onCompleted(read(params, ProcessCompleted.class));
            }
            default -> { } // paused, resumed, canceled, error: the control's response already said so
        }
        rc.handled();
    }

    /** The handle a result or notification names, or {@code null}. */
    RunningCommand route(JsonNode params) {
        JsonNode id = params.get("execution_id");
        if (id != null && id.isString()) {
            return handles.get(id.stringValue());
        }
        if (handles.size() == 1) {
            for (RunningCommand rc : handles.values()) {
                return rc;
            }
        }
        return null;
    }

    /** Fails and forgets every handle {@code which} accepts, each with the exception {@code why} gives it. */
    void fail(java.util.function.Predicate<RunningCommand> which, Function<RunningCommand, CcxException> why) {
        for (RunningCommand rc : all()) {
            if (which.test(rc)) {
                remove(rc);
                rc.fail(why.apply(rc));
            }
        }
    }

    private static <T> T read(JsonNode node, Class<T> type) {
        return RpcChannel.LENIENT.forType(type).readValue(node);
    }
}
