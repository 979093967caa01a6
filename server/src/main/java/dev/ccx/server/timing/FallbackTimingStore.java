// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import dev.ccx.server.concurrent.Threads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis while it answers within its bound, the embedded store otherwise: the store the server uses when Redis is
 * configured. Callers never see a Redis failure and never wait longer than the Redis store's bound for it.
 *
 * <ul>
 *   <li>Every run is recorded in the embedded store too, so that its history is there to answer from during an
 *       outage and survives a restart without Redis.
 *   <li>Healthy: reads and writes go to Redis. The first failure or timeout switches to the embedded store at once
 *       (one WARN per switch), and the call that failed is answered from it.
 *   <li>Degraded: no caller touches Redis. Runs are queued for Redis in {@link PendingRuns} (persisted, so a
 *       restart during the outage loses none). A probe thread pings Redis (bounded) every second; when it answers,
 *       the queue is written to it (each run only if its member is not there yet, so a write whose reply timed out
 *       is not counted twice), and then the store switches back (one INFO).
 *   <li>Redis unreachable at start: the store starts degraded and recovers the same way.
 * </ul>
 *
 * <p>A run recorded just as the store switches back may still be queued; the probe, which keeps running while
 * healthy but only touches Redis when something is queued, writes it on its next tick.
 */
public final class FallbackTimingStore implements TimingStore {
    /** How often Redis is probed while degraded (and the queue checked while healthy). */
    public static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final int REPLAY_BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(FallbackTimingStore.class);

    private final RedisTimingStore redis;
    private final EmbeddedTimingStore embedded;
    private final PendingRuns pending;
    private final AtomicBoolean usingRedis = new AtomicBoolean();
    private final ScheduledExecutorService probe;
    private volatile boolean closed;
    private final LongAdder fallbacks = new LongAdder();

    /**
     * Takes ownership of both stores (closes them with this one).
     *
     * @param redis    the shared store
     * @param embedded the local store
     * @param dir      where runs waiting for Redis are persisted ({@code pending.jsonl}), e.g. the embedded store's
     *                 directory
     */
    public FallbackTimingStore(RedisTimingStore redis, EmbeddedTimingStore embedded, Path dir) {
        this(redis, embedded, dir, PROBE_INTERVAL);
    }

    FallbackTimingStore(RedisTimingStore redis, EmbeddedTimingStore embedded, Path dir, Duration probeInterval) {
        this.redis = redis;
        this.embedded = embedded;
        this.pending = new PendingRuns(dir);
        if (redis.connected()) {
            usingRedis.set(true);
        } else {
            LOG.warn("Redis timing store not reachable at start; answering from the embedded store ({}) until it is",
                    embedded.file());
        }
        this.probe = Threads.scheduler("timing-probe");
        long every = probeInterval.toMillis();
        probe.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void record(RunRecord run) {
        embedded.record(run);
        if (usingRedis.get()) {
            try {
                redis.record(run);
                return;
            } catch (RuntimeException e) {
                degrade(e);
            }
        }
        fallbacks.increment();
        pending.add(run);
    }

    @Override
    public List<RunRecord> history(TaskKey key, int limit) {
        return read(() -> redis.history(key, limit), () -> embedded.history(key, limit));
    }

    @Override
    public List<TaskKey> keys(String category) {
        return read(() -> redis.keys(category), () -> embedded.keys(category));
    }

    @Override
    public List<TaskKey> keys() {
        return read(redis::keys, embedded::keys);
    }

    @Override
    public String name() {
        return usingRedis.get() ? redis.name() : embedded.name();
    }

    @Override
    public boolean degraded() {
        return !usingRedis.get();
    }

    @Override
    public long fallbacks() {
        return fallbacks.sum();
    }

    /** How many runs wait to be written to Redis. */
    int pending() {
        return pending.size();
    }

    /** Stops the probe and closes both stores. Runs still queued stay in {@code pending.jsonl} for the next start. */
    @Override
    public void close() {
        closed = true;
        probe.shutdownNow();
        try {
            if (!probe.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.warn("timing store probe did not stop within 2 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.close();
        embedded.close();
        pending.close();
    }

    private <T> T read(Supplier<T> fromRedis, Supplier<T> fromEmbedded) {
        if (usingRedis.get()) {
            try {
                return fromRedis.get();
            } catch (RuntimeException e) {
                degrade(e);
            }
        }
        fallbacks.increment();
        return fromEmbedded.get();
    }

    /** Switches to the embedded store, unless already there. Any exception counts: callers must never see one. */
    private void degrade(RuntimeException e) {
        if (usingRedis.compareAndSet(true, false)) {
            LOG.warn("Redis timing store failed ({}); answering from the embedded store and queueing runs for Redis "
                    + "until it answers again", e instanceof TimingStoreException ? e.getMessage() : e.toString());
        }
    }

    /** One probe tick, on the probe thread. Never throws: that would cancel the schedule. */
    private void probe() {
        if (closed) {
            return;
        }
        try {
            if (usingRedis.get()) {
                if (pending.size() > 0) {
                    replay();
                }
                return;
            }
            redis.ping();
            int replayed = replay();
            usingRedis.set(true);
            LOG.info("Redis timing store answers again; wrote the {} run(s) recorded meanwhile; using Redis",
                    replayed);
        } catch (TimingStoreException e) {
            LOG.debug("Redis timing store probe: {}", e.getMessage());
            degrade(e);
        } catch (RuntimeException e) {
            LOG.warn("Redis timing store probe failed", e);
        }
    }

    /** Writes the queue to Redis, oldest first; what was written leaves the queue even if a later write fails. */
    private int replay() {
        int total = 0;
        List<RunRecord> batch;
        while (!closed && !(batch = pending.peek(REPLAY_BATCH)).isEmpty()) {
            int done = 0;
            try {
                for (RunRecord run : batch) {
                    redis.recordIfAbsent(run);
                    done++;
                }
            } finally {
                pending.removeFirst(done);
                total += done;
            }
        }
        return total;
    }
}
