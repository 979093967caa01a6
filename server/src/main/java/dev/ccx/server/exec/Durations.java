// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.time.Duration;

/**
 * Seconds from the wire become a {@link Duration} once, here, rounded up to the next nanosecond: any positive
 * timeout is a real deadline (truncating {@code 1e-10} s to 0 ns used to mean "no deadline at all").
 */
public final class Durations {
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    private Durations() {
    }

    /** {@code seconds} (positive, as the params reader checked) as a duration of at least 1 ns. */
    public static Duration ofSeconds(double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds: " + seconds + " (expected: > 0)");
        }
        double nanos = Math.ceil(seconds * 1e9);
        return nanos >= Long.MAX_VALUE ? LONGEST : Duration.ofNanos(Math.max(1, (long) nanos));
    }

    /** {@code seconds} as a duration, or {@code null} for {@code null}. */
    public static Duration ofSecondsOrNull(Double seconds) {
        return seconds == null ? null : ofSeconds(seconds);
    }

    /** A duration as seconds for the wire, or {@code null} for {@code null}. */
    public static Double seconds(Duration d) {
        return d == null ? null : d.toNanos() / 1e9;
    }
}
