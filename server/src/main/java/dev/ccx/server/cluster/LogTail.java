// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.server.concurrent.Threads;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Redis streams of the executions this node follows but does not run, for all of them at once: one
 * blocking {@code XREAD} over every stream (and this node's wake stream, appended to when a stream is added or a
 * follower has room again), on one connection and one thread, however many executions are followed. Each entry is
 * handed to its {@link Sink}, which copies the frames into the execution's local mirror log, where connections
 * follow it like any other log.
 *
 * <p>A sink whose log is full is left out of the reads until it has room: a slow client holds back its own mirror,
 * never the stream, the worker, or the other followers.
 */
final class LogTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogTail.class);
    private static final long BLOCK_MILLIS = 1000;
    private static final long RETRY_MILLIS = 200;

    /** Where a stream's entries go. */
    interface Sink {
        /**
         * Takes one entry: frames {@code first} to {@code last}, one per line of {@code data} (UTF-8). Returns
         * whether to read on: {@code false} once the stream is complete.
         */
        boolean accept(long first, long last, byte[] data);

        /** Whether it can take more now; when not, {@link #whenRoom} is asked to call back. */
        boolean hasRoom();

        /** Runs {@code task} once there is room. */
        void whenRoom(Runnable task);
    }

    private static final class Tail {
        final Sink sink;
        volatile String lastId = "0-0";
        volatile boolean paused;

        Tail(Sink sink) {
            this.sink = sink;
        }
    }

    private final RedisLink redis;
    private final Keys keys;
    private final String wakeStream;
    private final Map<String, Tail> tails = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread reader;

    LogTail(RedisLink redis, Keys keys, String node) {
        this.redis = redis;
        this.keys = keys;
        this.wakeStream = keys.wake(node);
    }

    /** Starts the reader thread. */
    void start() {
        reader = Threads.startPlatform("cluster-tail", this::read);
    }

    /** Starts reading {@code execution}'s stream from its beginning into {@code sink}. */
    void add(String execution, Sink sink) {
        tails.put(keys.log(execution), new Tail(sink));
        wake();
    }

    /** Stops reading {@code execution}'s stream. */
    void remove(String execution) {
        tails.remove(keys.log(execution));
    }

    private void wake() {
        try {
            redis.shared().async().xadd(wakeStream, XAddArgs.Builder.maxlen(16).approximateTrimming(),
                    Map.of("w", "1"));
        } catch (RuntimeException e) {
            // Redis is away: the reader retries on its own within its block time.
        }
    }

    private void read() {
        StatefulRedisConnection<String, byte[]> connection = null;
        String wakeId = "$";
        while (!closed) {
            try {
                if (connection == null) {
                    connection = redis.blocking(RedisLink.FRAMES);
                    List<StreamMessage<String, byte[]>> lastWake = connection.sync().xrevrange(wakeStream,
                            io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1));
                    wakeId = lastWake.isEmpty() ? "0-0" : lastWake.getFirst().getId();
                }
                List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>();
                offsets.add(XReadArgs.StreamOffset.from(wakeStream, wakeId));
                tails.forEach((stream, t) -> {
                    if (!t.paused) {
                        offsets.add(XReadArgs.StreamOffset.from(stream, t.lastId));
                    }
                });
                List<StreamMessage<String, byte[]>> batch = connection.sync().xread(
                        XReadArgs.Builder.block(BLOCK_MILLIS).count(16),
                        offsets.toArray(XReadArgs.StreamOffset[]::new));
                // A tail paused in this batch skips the rest of its entries in it, even if it has room again before
                // the loop reaches them: they are read again, from its last id, by the next XREAD.
                java.util.Set<Tail> held = new java.util.HashSet<>();
                for (StreamMessage<String, byte[]> m : batch == null ? List.<StreamMessage<String, byte[]>>of()
                        : batch) {
                    if (m.getStream().equals(wakeStream)) {
                        wakeId = m.getId();
                        continue;
                    }
                    Tail t = tails.get(m.getStream());
                    if (t == null || held.contains(t)) {
                        continue;
                    }
                    if (t.paused) {
                        held.add(t);
                        continue;
                    }
                    t.lastId = m.getId();
                    deliver(m.getStream(), t, m.getBody());
                    if (t.paused) {
                        held.add(t);
                    }
                }
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.debug("cluster: stream read failed: {}", e.getMessage());
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void deliver(String stream, Tail t, Map<String, byte[]> body) {
        long first;
        long last;
        try {
            first = Long.parseLong(new String(body.get("f"), java.nio.charset.StandardCharsets.US_ASCII));
            last = Long.parseLong(new String(body.get("l"), java.nio.charset.StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            LOG.warn("cluster: malformed entry in {}", stream);
            return;
        }
        if (!t.sink.accept(first, last, body.get("d"))) {
            tails.remove(stream, t);
            return;
        }
        if (!t.sink.hasRoom()) {
            t.paused = true;
            t.sink.whenRoom(() -> {
                t.paused = false;
                wake();
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread r = reader;
        if (r == null) {
            return;
        }
        r.interrupt();
        try {
            r.join(BLOCK_MILLIS + redis.timeout().toMillis() + 500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
