// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.CcxException;
import dev.ccx.client.CcxTimeoutException;
import dev.ccx.protocol.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The control requests a session sends to the CLI ({@code initialize}, {@code interrupt}, {@code set_model}...)
 * and the answers it waits for, matched by {@code request_id}. Ids carry a random prefix per session, so an answer
 * to another client's request, seen in a replay, never completes one of ours.
 */
final class ControlRequests {
    private final String prefix = "req_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, CompletableFuture<JsonNode>> awaiting = new ConcurrentHashMap<>();

    /** Writes a request and waits at most {@code timeout} for its answer's {@code response} object. */
    JsonNode send(StdinLines out, String subtype, Map<String, ?> fields, Duration timeout) {
        String id = nextId();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        awaiting.put(id, answer);
        out.write(line(id, subtype, fields)).exceptionally(e -> {
            answer.completeExceptionally(new ClaudeSessionException("could not write the " + subtype
                    + " request to Claude Code: " + e.getMessage(), e));
            return null;
        });
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CcxTimeoutException("Claude Code did not answer the " + subtype + " request within "
                    + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CcxException("interrupted while waiting for the answer to " + subtype, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CcxException c ? c : new CcxException(e.getCause().toString(), e);
        } finally {
            awaiting.remove(id);
        }
    }

    /** Writes a request whose answer nobody waits for (an interrupt on close, which waits for the turn instead). */
    void post(StdinLines out, String subtype) {
        out.write(line(nextId(), subtype, Map.of()));
    }

    /** A {@code control_response} from the CLI: completes the request it answers, if it is one of ours. */
    void answered(JsonNode response) {
        String id = Json.text(response.path("request_id"));
        CompletableFuture<JsonNode> f = id == null ? null : awaiting.remove(id);
        if (f == null) {
            return; // an answer to an earlier client's request, seen in a replay
        }
        if ("success".equals(Json.text(response.path("subtype")))) {
            f.complete(response.path("response"));
        } else {
            String error = Json.text(response.path("error"));
            f.completeExceptionally(new ClaudeSessionException("Claude Code refused the control request: "
                    + (error == null ? response.toString() : error)));
        }
    }

    /** The process is gone: every request still waiting fails with {@code why}. */
    void failAll(ClaudeSessionException why) {
        awaiting.values().forEach(f -> f.completeExceptionally(why));
    }

    private String nextId() {
        return prefix + "_" + counter.incrementAndGet();
    }

    private static byte[] line(String id, String subtype, Map<String, ?> fields) {
        ObjectNode line = Wire.mapper().createObjectNode();
        line.put("type", "control_request").put("request_id", id);
        ObjectNode request = line.putObject("request");
        request.put("subtype", subtype);
        fields.forEach((k, v) -> request.set(k, Wire.mapper().valueToTree(v)));
        return bytes(line);
    }

    /** One JSON line for the CLI's stdin. */
    static byte[] bytes(JsonNode line) {
        return (Wire.mapper().writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
