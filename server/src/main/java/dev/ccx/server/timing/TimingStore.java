// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.util.List;

/**
 * Where run history lives. Implementations: {@code RedisTimingStore} (shared, survives the server),
 * {@code EmbeddedTimingStore} (in the server process, persisted to local disk) and {@code FallbackTimingStore}
 * (Redis while it answers within its bound, the embedded store otherwise).
 *
 * <p>Thread-safe. Calls may block, but only for a bounded time; a failure is thrown as {@link TimingStoreException}
 * and never leaves the store unusable.
 */
public interface TimingStore extends AutoCloseable {

    /** Adds a finished run to its key's history (newest 100 kept per key) and statistics. */
    void record(RunRecord run);

    /** The newest runs of {@code key}, newest first, at most {@code limit}. */
    List<RunRecord> history(TaskKey key, int limit);

    /** Every key with history in {@code category}. */
    List<TaskKey> keys(String category);

    /** Every key with history. */
    List<TaskKey> keys();

    /** {@code redis} or {@code embedded}: which store answers now. */
    String name();

    /** Whether the store is running below what was configured (Redis configured, embedded in use). */
    default boolean degraded() {
        return false;
    }

    /**
     * Calls the embedded store answered (or took) in Redis's place since start: while degraded, and each call that
     * failed in Redis. Always 0 without Redis.
     */
    default long fallbacks() {
        return 0;
    }

    @Override
    void close();
}
