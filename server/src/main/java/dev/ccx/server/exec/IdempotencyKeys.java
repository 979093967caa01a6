// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code idempotency_key}s of a single server: which execution each key (of each credentials) started, for 24
 * h, at most {@value #MAX} keys (the oldest go first). The cluster keeps them in Redis instead. Guarded by itself,
 * held for map operations only.
 */
final class IdempotencyKeys {
    static final int MAX = 100_000;
    private static final long TTL_NANOS = TimeUnit.HOURS.toNanos(24);

    private record Claim(String executionId, long atNanos) {
    }

    private final LinkedHashMap<String, Claim> claims = new LinkedHashMap<>();

    /** Records that {@code key} starts {@code id}; returns the execution it started before, if it did. */
    synchronized String claim(String principal, String key, String id) {
        long now = System.nanoTime();
        Iterator<Claim> oldest = claims.values().iterator();
        while (oldest.hasNext()) {
            Claim c = oldest.next();
            if (now - c.atNanos() < TTL_NANOS && claims.size() < MAX) {
                break;
            }
            oldest.remove();
        }
        Claim had = claims.putIfAbsent(principal + '\0' + key, new Claim(id, now));
        return had == null ? null : had.executionId();
    }

    /** The execution {@code id} did not start after all: the key is free again. */
    synchronized void release(String principal, String key, String id) {
        claims.remove(principal + '\0' + key, claims.get(principal + '\0' + key) instanceof Claim c
                && c.executionId().equals(id) ? c : null);
    }

    /** Keys held now. */
    synchronized int size() {
        return claims.size();
    }
}
