// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When to run Claude Code again after it hit a limit: exponential back-off with full jitter for rate limits and
 * overload, waiting for the reset for usage limits, all within a total time budget.
 *
 * <p>The back-off before retry {@code n} (after {@code n} failed attempts) is uniform in
 * {@code [0, min(maxDelay, baseDelay * 2^(n-1))]} ("full jitter"), so that many clients that failed together do not
 * retry together. The original waited a fixed clamp of 5 s with no jitter. A usage limit is different: back-off
 * cannot help before the window resets, so the policy waits until the reset if that fits in the budget, and gives up
 * with a reason naming the reset time otherwise (or when the reset time is unknown).
 *
 * <p>Immutable and thread-safe; the caller supplies the clock reading and the random generator (tests inject fixed
 * ones). The constructor throws {@link IllegalArgumentException} for non-positive attempts or negative durations.
 *
 * @param maxAttempts runs in total, the first included (1 = never retry)
 * @param baseDelay the back-off cap before the first retry
 * @param maxDelay the largest back-off cap
 * @param totalBudget the longest time from the first start until a retry may begin
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration totalBudget) {

    /** 3 attempts, 5 s base, 60 s cap (the original's numbers), 15 minutes in all. */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(15));

    /**
     * The outcome of {@link #decide}.
     *
     * @param retry whether to run again
     * @param delay how long to wait first ({@link Duration#ZERO} when giving up)
     * @param reason a sentence for logs and for the caller's error message
     */
    public record Decision(boolean retry, Duration delay, String reason) {
    }

    /** Validates the values. */
    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(totalBudget, "totalBudget");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative() || totalBudget.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** The upper bound of the back-off after {@code failures} failed attempts (1-based), before jitter. */
    public Duration cap(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1: " + failures);
        }
        long base = baseDelay.toMillis();
        long max = maxDelay.toMillis();
        int shift = failures - 1;
        // Saturate instead of overflowing: base * 2^shift > max as soon as shift reaches 62 or base << shift wraps.
        long cap = shift >= 62 || base > (max >> shift) ? max : Math.min(max, base << shift);
        return Duration.ofMillis(cap);
    }

    /** The jittered back-off after {@code failures} failed attempts: uniform in {@code [0, cap(failures)]}. */
    public Duration backoff(int failures, RandomGenerator random) {
        long cap = cap(failures).toMillis();
        long millis = (long) Math.floor(random.nextDouble() * (cap + 1));
        return Duration.ofMillis(Math.min(cap, millis));
    }

    /**
     * Decides what to do after attempt number {@code attempts} failed.
     *
     * @param attempts runs made so far (1 after the first failure)
     * @param elapsed time since the first run started
     * @param limit what the failed run hit, or {@code null} if it was not a limit (then: give up; other failures are
     *     not retried by this policy)
     * @param now the current time, for usage-limit resets
     * @param random the jitter source
     */
    public Decision decide(int attempts, Duration elapsed, RateLimits.Limit limit, Instant now,
            RandomGenerator random) {
        if (limit == null) {
            return giveUp("the failure was not a rate, overload or usage limit");
        }
        String what = describe(limit);
        if (attempts >= maxAttempts) {
            return giveUp(what + "; giving up after " + attempts + " of " + maxAttempts + " attempts");
        }
        Duration remaining = totalBudget.minus(elapsed);
        if (limit.kind() == RateLimits.Kind.USAGE_LIMIT) {
            if (limit.resetAt() == null) {
                return giveUp(what + "; the reset time is unknown, so waiting cannot be planned");
            }
            Duration wait = Duration.between(now, limit.resetAt());
            if (wait.isNegative()) {
                wait = Duration.ZERO;
            }
            if (wait.compareTo(remaining) > 0) {
                return giveUp(what + "; it resets at " + limit.resetAt() + " (in " + human(wait)
                        + "), beyond the remaining retry budget of " + human(positive(remaining)));
            }
            return new Decision(true, wait, what + "; waiting " + human(wait) + " until the reset at "
                    + limit.resetAt() + ", then attempt " + (attempts + 1) + " of " + maxAttempts);
        }
        Duration delay = backoff(attempts, random);
        if (limit.retryAfter() != null && limit.retryAfter().compareTo(delay) > 0) {
            delay = limit.retryAfter().compareTo(maxDelay) > 0 ? maxDelay : limit.retryAfter();
        }
        if (delay.compareTo(remaining) > 0) {
            return giveUp(what + "; the next back-off of " + human(delay) + " exceeds the remaining retry budget of "
                    + human(positive(remaining)));
        }
        return new Decision(true, delay, what + "; attempt " + (attempts + 1) + " of " + maxAttempts + " in "
                + human(delay));
    }

    private static Decision giveUp(String reason) {
        return new Decision(false, Duration.ZERO, reason);
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static String describe(RateLimits.Limit limit) {
        String kind = switch (limit.kind()) {
            case RATE_LIMIT -> "rate limit";
            case OVERLOADED -> "API overloaded";
            case USAGE_LIMIT -> "usage limit reached";
        };
        return limit.httpStatus() == null ? kind : kind + " (HTTP " + limit.httpStatus() + ")";
    }

    /** "850ms", "12.5s", "3m 20s", "2h 5m". */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return (ms % 1_000 == 0 ? String.valueOf(ms / 1_000) : String.format(Locale.ROOT, "%.1f",
                    ms / 1_000.0)) + "s";
        }
        long s = ms / 1_000;
        if (s < 3_600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s / 3_600 + "h " + s % 3_600 / 60 + "m";
    }
}
