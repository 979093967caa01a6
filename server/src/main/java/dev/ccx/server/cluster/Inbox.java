// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.Wire;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.exec.ExecException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Messages between nodes: each node reads its own stream ({@code inbox:NODE}) with one blocking reader, and any
 * node appends to it. A message is one JSON object with a {@code type}; a request that wants an answer carries
 * {@code req} and {@code from}, and the answer comes back to the asker's inbox as {@code type: reply}.
 *
 * <p>Messages are handled in the order they arrive, on the reader's own thread (controls and stdin of one
 * execution must not overtake each other), except {@code execute}, which starts a process and goes to a thread of
 * its own. Handlers never wait for a client or a process: stdin answers when its write completes.
 */
final class Inbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final long BLOCK_MILLIS = 1000;
    private static final long MAX_LEN = 10_000;
    private static final long RETRY_MILLIS = 200;

    private final RedisLink redis;
    private final Keys keys;
    private final String node;
    private final Consumer<JsonNode> handler;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ExecutorService workers = Threads.virtualPerTask("cluster-msg");
    private volatile boolean closed;
    private Thread reader;

    private record Pending(String node, CompletableFuture<JsonNode> answer) {
    }

    Inbox(RedisLink redis, Keys keys, String node, Consumer<JsonNode> handler) {
        this.redis = redis;
        this.keys = keys;
        this.node = node;
        this.handler = handler;
    }

    void start() {
        reader = Threads.startPlatform("cluster-inbox", this::read);
    }

    /** Appends {@code message} to {@code to}'s inbox; bounded by the command timeout. */
    void send(String to, ObjectNode message) {
        try {
            redis.sync().xadd(keys.inbox(to), XAddArgs.Builder.maxlen(MAX_LEN).approximateTrimming(),
                    Map.of("m", Wire.mapper().writeValueAsString(message)));
        } catch (ExecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw RedisLink.unavailable("cannot reach node " + to + " through Redis", e);
        }
    }

    /**
     * Sends a request and returns its answer: the reply's JSON, or a failure when it has not come within
     * {@code timeout}, when {@code to} is lost, or when the request could not be sent.
     */
    CompletableFuture<JsonNode> ask(String to, ObjectNode message, Duration timeout) {
        String req = UUID.randomUUID().toString();
        message.put("req", req).put("from", node);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(req, new Pending(to, answer));
        answer.whenComplete((r, e) -> pending.remove(req));
        try {
            send(to, message);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
            return answer;
        }
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Answers a request that came with {@code req} and {@code from}; a lost asker is not an error. */
    void reply(JsonNode request, ObjectNode answer) {
        answer.put("type", "reply").put("req", request.path("req").asString());
        try {
            send(request.path("from").asString(), answer);
        } catch (RuntimeException e) {
            LOG.warn("cluster: cannot answer {} of node {}: {}", request.path("type").asString(),
                    request.path("from").asString(), e.getMessage());
        }
    }

    /** {@code to} is lost: whatever was asked of it will not be answered. */
    void lost(String to) {
        pending.values().stream().filter(p -> p.node().equals(to)).forEach(p -> p.answer().completeExceptionally(
                new ExecException(ErrorCode.CLUSTER_UNAVAILABLE, "Node " + to + " was lost before it answered")));
    }

    private void read() {
        String last = "0-0";
        StatefulRedisConnection<String, String> connection = null;
        boolean cleared = false;
        while (!closed) {
            try {
                if (connection == null) {
                    connection = redis.blocking();
                }
                if (!cleared) {
                    // What a previous node of the same id was sent is not for us.
                    connection.sync().del(keys.inbox(node));
                    cleared = true;
                }
                List<StreamMessage<String, String>> batch = connection.sync().xread(
                        XReadArgs.Builder.block(BLOCK_MILLIS).count(128),
                        XReadArgs.StreamOffset.from(keys.inbox(node), last));
                for (StreamMessage<String, String> m : batch == null ? List.<StreamMessage<String, String>>of()
                        : batch) {
                    last = m.getId();
                    dispatch(m.getBody().get("m"));
                }
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.debug("cluster: inbox read failed: {}", e.getMessage());
                pause();
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void dispatch(String text) {
        JsonNode message;
        try {
            message = Wire.mapper().readTree(text);
        } catch (RuntimeException e) {
            LOG.warn("cluster: unreadable message in the inbox of {}: {}", node, e.getMessage());
            return;
        }
        String type = message.path("type").asString("");
        if (type.equals("reply")) {
            Pending p = pending.get(message.path("req").asString(""));
            if (p != null) {
                workers.execute(() -> p.answer().complete(message));
            }
            return;
        }
        Runnable handle = () -> {
            try {
                handler.accept(message);
            } catch (RuntimeException e) {
                LOG.error("cluster: handling {} failed", type, e);
            }
        };
        if (type.equals("execute")) {
            workers.execute(handle);
        } else {
            handle.run();
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread r = reader;
        if (r != null) {
            r.interrupt();
            try {
                r.join(BLOCK_MILLIS + redis.timeout().toMillis() + 500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownNow();
    }
}
