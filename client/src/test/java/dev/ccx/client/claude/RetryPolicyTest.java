// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-24T08:00:00Z");
    private static final RetryPolicy POLICY =
            new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(10));

    /** Always the given fraction of the range. */
    private static RandomGenerator fixed(double fraction) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return fraction;
            }
        };
    }

    private static RateLimits.Limit limit(RateLimits.Kind kind, Instant resetAt) {
        return new RateLimits.Limit(kind, null, resetAt, null, "test");
    }

    @Test
    void capsDoubleUpToTheMaximum() {
        assertThat(IntStream.rangeClosed(1, 6).mapToObj(POLICY::cap).toList()).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
        assertThat(POLICY.cap(1_000)).isEqualTo(Duration.ofSeconds(10)); // no overflow
    }

    @Test
    void backoffSequenceWithAFixedRandomIsFullJitter() {
        RandomGenerator half = fixed(0.5);
        assertThat(IntStream.rangeClosed(1, 6).mapToObj(n -> POLICY.backoff(n, half)).toList()).containsExactly(
                Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofMillis(2000), Duration.ofMillis(4000),
                Duration.ofMillis(5000), Duration.ofMillis(5000));
        assertThat(POLICY.backoff(3, fixed(0.0))).isEqualTo(Duration.ZERO);
        assertThat(POLICY.backoff(3, fixed(0.9999999999))).isEqualTo(Duration.ofSeconds(4));
        // A real generator always stays in [0, cap].
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        for (int i = 0; i < 1_000; i++) {
            assertThat(POLICY.backoff(2, random)).isBetween(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void rateLimitsAreRetriedWithBackoffUntilAttemptsRunOut() {
        RateLimits.Limit rate = new RateLimits.Limit(RateLimits.Kind.RATE_LIMIT, 429, null, null, "429");
        RetryPolicy.Decision first = POLICY.decide(1, Duration.ZERO, rate, NOW, fixed(0.5));
        assertThat(first.retry()).isTrue();
        assertThat(first.delay()).isEqualTo(Duration.ofMillis(500));
        assertThat(first.reason()).isEqualTo("rate limit (HTTP 429); attempt 2 of 6 in 500ms");

        RetryPolicy.Decision last = POLICY.decide(6, Duration.ofSeconds(30), rate, NOW, fixed(0.5));
        assertThat(last.retry()).isFalse();
        assertThat(last.reason()).isEqualTo("rate limit (HTTP 429); giving up after 6 of 6 attempts");
    }

    @Test
    void theClisRetryDelayIsAFloor() {
        RateLimits.Limit hinted = new RateLimits.Limit(RateLimits.Kind.OVERLOADED, 529, null, Duration.ofSeconds(3),
                "529");
        assertThat(POLICY.decide(1, Duration.ZERO, hinted, NOW, fixed(0.5)).delay()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void budgetStopsRetries() {
        RateLimits.Limit overloaded = limit(RateLimits.Kind.OVERLOADED, null);
        RetryPolicy.Decision d = POLICY.decide(4, Duration.ofSeconds(598), overloaded, NOW, fixed(0.5));

        assertThat(d.retry()).isFalse();
        assertThat(d.reason()).isEqualTo("API overloaded; the next back-off of 4s exceeds the remaining retry budget"
                + " of 2s");
    }

    @Test
    void usageLimitWaitsForTheResetWithinBudget() {
        RetryPolicy.Decision d = POLICY.decide(1, Duration.ofMinutes(1),
                limit(RateLimits.Kind.USAGE_LIMIT, NOW.plusSeconds(200)), NOW, fixed(0.5));

        assertThat(d.retry()).isTrue();
        assertThat(d.delay()).isEqualTo(Duration.ofSeconds(200));
        assertThat(d.reason()).isEqualTo("usage limit reached; waiting 3m 20s until the reset at"
                + " 2026-11-24T08:03:20Z, then attempt 2 of 6");
    }

    @Test
    void usageLimitBeyondTheBudgetGivesUpWithTheResetTime() {
        RetryPolicy.Decision d = POLICY.decide(1, Duration.ofMinutes(1),
                limit(RateLimits.Kind.USAGE_LIMIT, NOW.plus(Duration.ofHours(3).plusMinutes(5))), NOW, fixed(0.5));

        assertThat(d.retry()).isFalse();
        assertThat(d.delay()).isZero();
        assertThat(d.reason()).isEqualTo("usage limit reached; it resets at 2026-11-24T11:05:00Z (in 3h 5m),"
                + " beyond the remaining retry budget of 9m 0s");
    }

    @Test
    void usageLimitWithoutResetOrAnotherFailureGivesUp() {
        assertThat(POLICY.decide(1, Duration.ZERO, limit(RateLimits.Kind.USAGE_LIMIT, null), NOW, fixed(0.5))
                .reason()).isEqualTo("usage limit reached; the reset time is unknown, so waiting cannot be planned");
        assertThat(POLICY.decide(1, Duration.ZERO, null, NOW, fixed(0.5)).retry()).isFalse();
        // A reset already in the past: retry at once.
        assertThat(POLICY.decide(1, Duration.ZERO, limit(RateLimits.Kind.USAGE_LIMIT, NOW.minusSeconds(5)), NOW,
                fixed(0.5)).delay()).isZero();
    }

    @Test
    void invalidPoliciesAreRejected() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.DEFAULT.maxAttempts()).isEqualTo(3);
    }
}
