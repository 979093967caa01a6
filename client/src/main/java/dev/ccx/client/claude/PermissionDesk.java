// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.protocol.Wire;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CLI's requests to the session: {@code can_use_tool} goes to the {@link PermissionCallback} on a virtual
 * thread of its own (never the thread reading the CLI's output, which must stay free for a
 * {@code control_cancel_request}), bounded by a timeout that denies; any other subtype is refused with an error.
 * During an attach's replay, permission requests are held until the replay has shown whether they were answered
 * (a tool result for their tool use) or withdrawn; those still open then are decided.
 */
final class PermissionDesk {
    private static final System.Logger LOG = System.getLogger(PermissionDesk.class.getName());

    private final PermissionCallback callback;
    private final Duration timeout;
    /** Requests being decided, with the thread deciding each. */
    private final Map<String, Thread> deciding = new ConcurrentHashMap<>();
    /** Requests seen in a replay and not yet known to be answered; guarded by this. */
    private final Map<String, PermissionRequest> held = new LinkedHashMap<>();
    /** Whether an attach's replay is being handled; guarded by this, so a request is held or decided, never lost. */
    private boolean replaying;

    PermissionDesk(PermissionCallback callback, Duration timeout) {
        this.callback = callback;
        this.timeout = timeout;
    }

    /** An attach is about to replay the process's past: requests are held until {@link #replayed}. */
    synchronized void replaying() {
        replaying = true;
    }

    /** A {@code control_request} line from the CLI. */
    void asked(StdinLines out, JsonNode node) {
        String id = Json.text(node.path("request_id"));
        JsonNode request = node.path("request");
        String subtype = Json.text(request.path("subtype"));
        if (id == null) {
            LOG.log(System.Logger.Level.WARNING, "control request without request_id from Claude Code: {0}",
                    Json.summary(node, 200));
            return;
        }
        boolean live;
        synchronized (this) {
            live = !replaying;
        }
        if (!"can_use_tool".equals(subtype)) {
            if (live) {
                answer(out, id, Wire.mapper().createObjectNode().put("subtype", "error").put("request_id", id)
                        .put("error", "ccx ClaudeSession does not support control requests of subtype "
                                + (subtype == null ? "(none)" : "\"" + subtype + "\"")));
            }
            return;
        }
        PermissionRequest r = PermissionRequest.of(id, request);
        synchronized (this) {
            if (replaying) {
                held.put(id, r);
                return;
            }
        }
        decide(out, r);
    }

    /** In a replay: a tool result means the permission request for that tool use was answered. */
    synchronized void answeredInReplay(JsonNode userLine) {
        for (JsonNode block : userLine.path("message").path("content").values()) {
            String toolUseId = Json.text(block.path("tool_use_id"));
            if (toolUseId != null) {
                held.values().removeIf(r -> toolUseId.equals(r.toolUseId()));
            }
        }
    }

    /** The replay is over: requests nobody answered in it are decided now. */
    void replayed(StdinLines out) {
        List<PermissionRequest> open;
        synchronized (this) {
            replaying = false;
            open = List.copyOf(held.values());
            held.clear();
        }
        open.forEach(r -> decide(out, r));
    }

    /** {@code control_cancel_request}: the CLI no longer wants an answer; the deciding thread is interrupted. */
    void withdrawn(String id) {
        if (id == null) {
            return;
        }
        synchronized (this) {
            held.remove(id);
        }
        Thread t = deciding.remove(id);
        if (t != null) {
            t.interrupt();
        }
    }

    /** The process is gone: nobody needs the decisions still being made, nor those held from a replay. */
    void stopAll() {
        synchronized (this) {
            held.clear();
            replaying = false;
        }
        deciding.values().forEach(Thread::interrupt);
        deciding.clear();
    }

    private void decide(StdinLines out, PermissionRequest r) {
        if (callback == null) {
            respond(out, r, new PermissionDecision.Deny("no permission callback in this session", false));
            return;
        }
        Thread t = Thread.ofVirtual().name("ccx-claude-permission-" + r.requestId()).unstarted(() -> {
            PermissionDecision d;
            try {
                d = callback.decide(r);
                if (d == null) {
                    d = new PermissionDecision.Deny("the permission callback gave no decision", false);
                }
            } catch (InterruptedException e) {
                return; // withdrawn, timed out, or the process ended: the CLI wants no answer from here
            } catch (Exception e) {
                d = new PermissionDecision.Deny("the permission callback failed: " + e, false);
            }
            if (deciding.remove(r.requestId()) != null) {
                respond(out, r, d);
            }
        });
        deciding.put(r.requestId(), t);
        t.start();
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (deciding.remove(r.requestId(), t)) {
                t.interrupt();
                respond(out, r, new PermissionDecision.Deny("no permission decision within " + timeout, false));
            }
        });
    }

    private void respond(StdinLines out, PermissionRequest r, PermissionDecision decision) {
        ObjectNode body = Wire.mapper().createObjectNode();
        switch (decision) {
            case PermissionDecision.Allow a ->
                // The CLI wants the input back: the model's own when the callback changed nothing.
                body.put("behavior", "allow").set("updatedInput", a.updatedInput() != null ? a.updatedInput()
                        : r.input());
            case PermissionDecision.Deny d -> {
                body.put("behavior", "deny").put("message", d.message());
                if (d.interrupt()) {
                    body.put("interrupt", true);
                }
            }
        }
        ObjectNode inner = Wire.mapper().createObjectNode().put("subtype", "success").put("request_id", r.requestId());
        inner.set("response", body);
        answer(out, r.requestId(), inner);
    }

    private static void answer(StdinLines out, String id, ObjectNode inner) {
        ObjectNode line = Wire.mapper().createObjectNode().put("type", "control_response");
        line.set("response", inner);
        // An answer the CLI already has is ignored, so one lost with the connection may safely go again.
        out.writeRetrying(ControlRequests.bytes(line)).exceptionally(e -> {
            LOG.log(System.Logger.Level.WARNING, "could not answer Claude Code''s request {0}: {1}", id,
                    e.getMessage());
            return null;
        });
    }
}
