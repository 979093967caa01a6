// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import dev.ccx.server.redis.RedisClients;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run history in Redis, in the original's key layout so that its Python tools and ccx read each other's history:
 *
 * <ul>
 *   <li>{@code <prefix>:<category>:<name>:history}: ZSET, score = end time in epoch seconds, member = the run as
 *       JSON ({@link RunRecordJson#member}), trimmed to the newest {@value #KEEP} ({@code ZREMRANGEBYRANK 0 -101});
 *   <li>{@code <prefix>:<category>:<name>:stats}: HASH of {@code total_runs}, {@code successes}, {@code failures}.
 * </ul>
 *
 * <p>Both keys expire {@value #TTL_SECONDS} s (7 days) after the <em>last</em> write: every record refreshes the
 * TTL. The original set it only on keys that had none, so a task run every day lost its whole history once a week;
 * a sliding TTL keeps the history of tasks in use and still lets abandoned keys go.
 *
 * <p>The writes of one run are sent as one pipeline (all commands written before any reply is awaited), not as
 * MULTI/EXEC: the connection is shared by every thread, and a MULTI on it would swallow other threads' commands
 * into the transaction. The writes are not atomic, so a reader may briefly see the member before the counters.
 *
 * <p>One {@link RedisClient} and one auto-reconnecting connection serve the whole server. Every call is bounded by
 * the configured timeout (default 250 ms): Lettuce times each command out after it, rejects commands at once while
 * disconnected, and the caller waits for the whole call at most that long. A failure or timeout is thrown as
 * {@link TimingStoreException}; the store stays usable. If Redis cannot be reached at construction the store is
 * still created, and each later call (the fallback store's probe, in practice) tries to connect again, bounded by
 * the same timeout.
 */
public final class RedisTimingStore implements TimingStore {
    /** The original's key prefix. */
    public static final String DEFAULT_PREFIX = "cc_executor:times";
    /** How long any call may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);
    /** Runs kept per key. */
    static final int KEEP = 100;
    /** Key lifetime after the last write: 7 days, the original's {@code HISTORY_TTL}. */
    static final long TTL_SECONDS = 604_800;
    /** Keys visited per SCAN round trip: about a millisecond of Redis time, so that a large keyspace still fits in
     *  the bound in few round trips. */
    private static final int SCAN_COUNT = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(RedisTimingStore.class);

    private final RedisURI uri;
    private final String prefix;
    private final long timeoutNanos;
    private final ClientResources resources;
    private final RedisClient client;
    /** Held while connecting, so that concurrent callers fail fast instead of queueing connect attempts. */
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;

    /**
     * Creates the client and tries to connect once (for at most {@code timeout}); if that fails the store is created
     * anyway and connects on a later call.
     *
     * @param uri     where Redis is
     * @param prefix  the key prefix, e.g. {@link #DEFAULT_PREFIX}
     * @param timeout the bound of every call
     */
    public RedisTimingStore(RedisURI uri, String prefix, Duration timeout) {
        if (prefix.isEmpty() || prefix.endsWith(":")) {
            throw new IllegalArgumentException("key prefix must be non-empty without a trailing ':': " + prefix);
        }
        this.uri = RedisURI.builder(uri).withTimeout(timeout).build();
        this.prefix = prefix;
        this.timeoutNanos = timeout.toNanos();
        this.resources = RedisClients.resources();
        this.client = RedisClients.client(resources, this.uri, timeout, timeout);
        try {
            connection(System.nanoTime() + timeoutNanos);
        } catch (RuntimeException e) {
            LOG.info("{}; will connect when it answers", e.getMessage());
        }
    }

    /**
     * A store for {@code REDIS_URL}: {@code redis://host[:port][/db]} (password and {@code rediss://} as Lettuce
     * reads them).
     *
     * @throws IllegalArgumentException if it is not such a URL
     */
    public static RedisTimingStore fromUrl(String redisUrl, String prefix, Duration timeout) {
        return new RedisTimingStore(parseUrl(redisUrl), prefix, timeout);
    }

    /** Parses {@code REDIS_URL}; see {@link #fromUrl}. */
    static RedisURI parseUrl(String redisUrl) {
        // The URL may carry a password: error messages show it without.
        String shown = redisUrl == null ? null : redisUrl.replaceFirst("//[^@/]*@", "//***@");
        if (redisUrl == null || !(redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://"))) {
            throw new IllegalArgumentException("REDIS_URL must look like redis://host:port[/db], got " + shown);
        }
        try {
            return RedisURI.create(redisUrl);
        } catch (RuntimeException e) {
            // Not chained: Lettuce's message may quote the URL, password included.
            throw new IllegalArgumentException("REDIS_URL must look like redis://host:port[/db], got " + shown
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void record(RunRecord run) {
        guarded("record", () -> {
            long deadline = System.nanoTime() + timeoutNanos;
            write(commands(deadline), run, deadline);
            return null;
        });
    }

    /**
     * Records {@code run} unless its member is already in the history, so that replaying a run whose first write
     * reached Redis but whose reply did not (a timeout) does not count it twice. Two round trips.
     */
    void recordIfAbsent(RunRecord run) {
        guarded("record", () -> {
            long deadline = System.nanoTime() + timeoutNanos;
            RedisAsyncCommands<String, String> redis = commands(deadline);
            Double score = await(redis.zscore(history(run.key()), RunRecordJson.member(run)), deadline, "ZSCORE");
            if (score == null) {
                write(redis, run, deadline);
            }
            return null;
        });
    }

    @Override
    public List<RunRecord> history(TaskKey key, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        List<String> members = guarded("ZREVRANGE", () -> {
            long deadline = System.nanoTime() + timeoutNanos;
            return await(commands(deadline).zrevrange(history(key), 0, limit - 1L), deadline, "ZREVRANGE");
        });
        List<RunRecord> out = new ArrayList<>(members.size());
        for (String member : members) {
            try {
                out.add(RunRecordJson.fromMember(key, member));
            } catch (IllegalArgumentException e) {
                LOG.debug("skipping unreadable member of {}: {}", history(key), e.getMessage());
            }
        }
        // Members of one second tie on score and come back in reverse lexical order; put them in time order.
        out.sort(Comparator.comparingLong(RunRecord::timestampMillis).reversed());
        return out;
    }

    @Override
    public List<TaskKey> keys(String category) {
        return scanKeys(globEscape(prefix) + ":" + category + ":*:history");
    }

    @Override
    public List<TaskKey> keys() {
        return scanKeys(globEscape(prefix) + ":*:history");
    }

    /** Round trip to Redis, connecting first if need be; throws if it does not answer within the bound. */
    void ping() {
        guarded("PING", () -> {
            long deadline = System.nanoTime() + timeoutNanos;
            return await(commands(deadline).ping(), deadline, "PING");
        });
    }

    /** Whether the connection is established now (it may still drop at any moment). */
    boolean connected() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    /** The bound of every call. */
    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** The key prefix. */
    String prefix() {
        return prefix;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ofMillis(20), Duration.ofSeconds(1));
        resources.shutdown(20, 1000, TimeUnit.MILLISECONDS);
    }

    private void write(RedisAsyncCommands<String, String> redis, RunRecord run, long deadline) {
        String history = history(run.key());
        String stats = key(run.key(), "stats");
        // Sent back to back on the shared connection: one pipeline, one wait.
        CompletableFuture<?>[] replies = {
            redis.zadd(history, Math.floorDiv(run.timestampMillis(), 1000L), RunRecordJson.member(run))
                    .toCompletableFuture(),
            redis.zremrangebyrank(history, 0, -(KEEP + 1L)).toCompletableFuture(),
            redis.expire(history, TTL_SECONDS).toCompletableFuture(),
            redis.hincrby(stats, "total_runs", 1).toCompletableFuture(),
            redis.hincrby(stats, run.succeeded() ? "successes" : "failures", 1).toCompletableFuture(),
            redis.expire(stats, TTL_SECONDS).toCompletableFuture(),
        };
        await(CompletableFuture.allOf(replies), deadline, "record");
    }

    private List<TaskKey> scanKeys(String pattern) {
        return guarded("SCAN", () -> scan(pattern));
    }

    private List<TaskKey> scan(String pattern) {
        long deadline = System.nanoTime() + timeoutNanos;
        RedisAsyncCommands<String, String> redis = commands(deadline);
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
        Set<TaskKey> keys = new HashSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        // SCAN, never KEYS: it does not block Redis for other clients however many keys there are.
        do {
            KeyScanCursor<String> page = await(redis.scan(cursor, args), deadline, "SCAN");
            for (String k : page.getKeys()) {
                TaskKey key = parseHistoryKey(k);
                if (key != null) {
                    keys.add(key);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        // SCAN order is arbitrary; give callers the same order as the embedded store.
        return keys.stream().sorted(Comparator.comparing(TaskKey::category).thenComparing(TaskKey::name)).toList();
    }

    /** The task key of {@code <prefix>:<category>:<name>:history}, or null for any other key (such as the
     *  original's {@code <prefix>:<category>:<name>:<complexity>:<question_type>:history}). */
    TaskKey parseHistoryKey(String redisKey) {
        String head = prefix + ":";
        String tail = ":history";
        if (!redisKey.startsWith(head) || !redisKey.endsWith(tail)
                || redisKey.length() <= head.length() + tail.length()) {
            return null;
        }
        String[] parts = redisKey.substring(head.length(), redisKey.length() - tail.length()).split(":", -1);
        if (parts.length != 2) {
            return null;
        }
        try {
            return new TaskKey(parts[0], parts[1]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String history(TaskKey key) {
        return key(key, "history");
    }

    private String key(TaskKey key, String kind) {
        return prefix + ":" + key.category() + ":" + key.name() + ":" + kind;
    }

    private RedisAsyncCommands<String, String> commands(long deadline) {
        StatefulRedisConnection<String, String> c = connection;
        return (c != null ? c : connection(deadline)).async();
    }

    /**
     * The one connection, connecting if there is none yet (until {@code deadline}). Once made it is kept for good:
     * Lettuce reconnects it by itself.
     */
    private StatefulRedisConnection<String, String> connection(long deadline) {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        if (closed) {
            throw new TimingStoreException("Redis timing store is closed", null);
        }
        if (!connecting.tryLock()) {
            throw new TimingStoreException("not connected to Redis at " + describe(uri) + " yet", null);
        }
        try {
            if (connection != null) {
                return connection;
            }
            ConnectionFuture<StatefulRedisConnection<String, String>> future =
                    client.connectAsync(StringCodec.UTF8, uri);
            try {
                c = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // Should the connection complete after all, nobody would own it: close it then.
                future.thenAccept(StatefulConnection::closeAsync);
                throw new TimingStoreException("connecting to Redis at " + describe(uri) + " timed out", e);
            } catch (ExecutionException e) {
                throw new TimingStoreException("cannot connect to Redis at " + describe(uri) + ": "
                        + rootMessage(e.getCause()), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimingStoreException("interrupted connecting to Redis", e);
            }
            if (closed) {
                c.closeAsync();
                throw new TimingStoreException("Redis timing store is closed", null);
            }
            connection = c;
            LOG.info("connected to Redis at {} for timing history ({})", describe(uri), prefix);
            return c;
        } finally {
            connecting.unlock();
        }
    }

    /** Runs a call, turning anything Lettuce throws directly (rather than through a reply) into the store's
     *  exception, so that callers have one thing to catch. */
    private static <T> T guarded(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (TimingStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TimingStoreException("Redis " + what + " failed: " + e, e);
        }
    }

    private static <T> T await(CompletionStage<T> reply, long deadline, String what) {
        CompletableFuture<T> f = reply.toCompletableFuture();
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TimingStoreException("Redis " + what + " timed out", e);
        } catch (ExecutionException e) {
            throw new TimingStoreException("Redis " + what + " failed: " + rootMessage(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimingStoreException("interrupted waiting for Redis " + what, e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root.getMessage() + ")";
    }

    /** The address without any password, for logs. */
    private static String describe(RedisURI uri) {
        return uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    /** A literal for a SCAN MATCH pattern: the prefix is configurable and may contain glob characters. */
    static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }
}
