// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.protocol.ErrorCode;
import dev.ccx.server.exec.ExecException;
import dev.ccx.server.redis.RedisClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node's connections to the cluster's Redis: one shared, auto-reconnecting connection for commands, each bounded
 * by the command timeout, and a connection of its own for each blocking reader ({@code XREAD BLOCK}), whose bound
 * is the block time plus the command timeout. While Redis cannot be reached every call fails at once (commands are
 * rejected while disconnected, not buffered) with CLUSTER_UNAVAILABLE; Lettuce reconnects within a second of Redis
 * returning.
 */
final class RedisLink implements AutoCloseable {
    private final RedisURI uri;
    private final Duration timeout;
    private final ClientResources resources;
    private final RedisClient commandsClient;
    private final RedisClient blockingClient;
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile StatefulRedisConnection<String, String> shared;
    private volatile StatefulRedisConnection<String, byte[]> frames;
    /** Keys as text, values as bytes: frames go to and from streams without being decoded and encoded again. */
    static final RedisCodec<String, byte[]> FRAMES = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    RedisLink(String url, Duration timeout, Duration block) {
        this.uri = RedisURI.builder(RedisURI.create(url)).withTimeout(timeout).build();
        this.timeout = timeout;
        this.resources = RedisClients.resources();
        this.commandsClient = RedisClients.client(resources, uri, timeout, timeout);
        this.blockingClient = RedisClients.client(resources, uri, block.plus(timeout), timeout);
    }

    /** The shared command connection, connecting first if there is none yet (bounded by the timeout). */
    RedisCommands<String, String> sync() {
        return shared().sync();
    }

    /** The shared connection, for pipelined (async) commands. */
    StatefulRedisConnection<String, String> shared() {
        StatefulRedisConnection<String, String> c = shared;
        return c != null ? c : (shared = connectOnce(() -> shared, StringCodec.UTF8));
    }

    /**
     * Connects with {@code codec} unless {@code made} has a connection by now; one caller at a time, others fail at
     * once instead of queueing connect attempts. Bounded by the connect timeout.
     */
    private <V> StatefulRedisConnection<String, V> connectOnce(
            java.util.function.Supplier<StatefulRedisConnection<String, V>> made, RedisCodec<String, V> codec) {
        if (!connecting.tryLock()) {
            throw unavailable("connecting to Redis at " + where(), null);
        }
        try {
            StatefulRedisConnection<String, V> c = made.get();
            return c != null ? c : commandsClient.connect(codec);
        } catch (RuntimeException e) {
            throw unavailable("cannot connect to Redis at " + where() + ": " + e.getMessage(), e);
        } finally {
            connecting.unlock();
        }
    }

    /** The shared connection for writing frames to streams (made once, like {@link #shared()}). */
    StatefulRedisConnection<String, byte[]> frames() {
        StatefulRedisConnection<String, byte[]> c = frames;
        return c != null ? c : (frames = connectOnce(() -> frames, FRAMES));
    }

    /** A new connection for one blocking reader, which owns (and closes) it. */
    StatefulRedisConnection<String, String> blocking() {
        return blocking(StringCodec.UTF8);
    }

    /** A new connection with {@code codec} for one blocking reader, which owns (and closes) it. */
    <V> StatefulRedisConnection<String, V> blocking(RedisCodec<String, V> codec) {
        try {
            return blockingClient.connect(codec);
        } catch (RuntimeException e) {
            throw unavailable("cannot connect to Redis at " + where() + ": " + e.getMessage(), e);
        }
    }

    /** The bound of every command. */
    Duration timeout() {
        return timeout;
    }

    /** Host and port, without credentials. */
    String where() {
        return uri.getHost() + ":" + uri.getPort();
    }

    static ExecException unavailable(String why, Throwable cause) {
        return new ExecException(ErrorCode.CLUSTER_UNAVAILABLE, "The cluster is unavailable: " + why
                + (cause == null || cause.getMessage() == null || why.contains(cause.getMessage()) ? ""
                : " (" + cause.getMessage() + ")"));
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = shared;
        if (c != null) {
            c.close();
        }
        StatefulRedisConnection<String, byte[]> f = frames;
        if (f != null) {
            f.close();
        }
        commandsClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        blockingClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
