// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import java.util.function.Predicate;
import java.util.function.Supplier;

/** Bounded polling for conditions that have no event to wait on (processes dying, files appearing). */
public final class Wait {
    private Wait() {
    }

    /** Polls {@code value} every 10 ms until {@code done} holds or {@code millis} pass; returns the last value. */
    public static <T> T untilValue(long millis, Supplier<T> value, Predicate<T> done) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        T v = value.get();
        while (!done.test(v) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return v;
            }
            v = value.get();
        }
        return v;
    }

    /** Polls until {@code condition} holds; fails with {@code what} after {@code millis}. */
    public static void until(long millis, String what, Supplier<Boolean> condition) {
        if (!untilValue(millis, condition, Boolean::booleanValue)) {
            throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
        }
    }
}
