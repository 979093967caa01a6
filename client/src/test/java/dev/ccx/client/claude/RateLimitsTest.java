// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
    private static final Instant NOW = Instant.parse("2026-11-24T08:00:00Z");

    @Test
    void stderrLinesAreClassified() {
        assertThat(RateLimits.fromStderr("Error: 429 Too Many Requests", NOW)).hasValueSatisfying(l -> {
            assertThat(l.kind()).isEqualTo(RateLimits.Kind.RATE_LIMIT);
            assertThat(l.httpStatus()).isEqualTo(429);
        });
        assertThat(RateLimits.fromStderr("API Error: 529 {\"type\":\"overloaded_error\"}", NOW))
                .map(RateLimits.Limit::kind).contains(RateLimits.Kind.OVERLOADED);
        assertThat(RateLimits.fromStderr("rate_limit_error: This request would exceed your rate limit", NOW))
                .map(RateLimits.Limit::kind).contains(RateLimits.Kind.RATE_LIMIT);
        assertThat(RateLimits.fromStderr("processed 4290 files", NOW)).isEmpty();
        assertThat(RateLimits.fromStderr("Error: ENOENT: no such file", NOW)).isEmpty();
        assertThat(RateLimits.fromStderr("", NOW)).isEmpty();
        assertThat(RateLimits.fromStderr(null, NOW)).isEmpty();
    }

    @Test
    void usageLimitTextsGiveTheirResetTimes() {
        assertThat(RateLimits.fromText("Claude AI usage limit reached|1750708800", NOW).orElseThrow().resetAt())
                .isEqualTo(Instant.ofEpochSecond(1750708800));
        // 1:30am in Dhaka (UTC+6) is 19:30 UTC; after 08:00 UTC that is the same day's 19:30 UTC.
        assertThat(RateLimits.fromText("You've hit your limit · resets 1:30am (Asia/Dhaka)", NOW).orElseThrow()
                .resetAt()).isEqualTo(Instant.parse("2026-11-24T19:30:00Z"));
        // 3pm in Bogota (UTC-5) is 20:00 UTC.
        assertThat(RateLimits.fromText("Claude usage limit reached. Your limit will reset at 3pm (America/Bogota).",
                NOW).orElseThrow().resetAt()).isEqualTo(Instant.parse("2026-11-24T20:00:00Z"));
        // 8am in London is already past at 08:00 UTC: the next one is tomorrow.
        assertThat(RateLimits.fromText("You've hit your limit · resets 8am (Europe/London)", NOW).orElseThrow()
                .resetAt()).isEqualTo(Instant.parse("2026-11-25T08:00:00Z"));
        // More than a day away the CLI names the date.
        assertThat(RateLimits.fromText("You've hit your weekly limit · resets Nov 28, 5pm (UTC)", NOW).orElseThrow()
                .resetAt()).isEqualTo(Instant.parse("2026-11-28T17:00:00Z"));
        RateLimits.Limit unknownZone = RateLimits.fromText("You've hit your limit · resets 3pm (Mars/Olympus)", NOW)
                .orElseThrow();
        assertThat(unknownZone.kind()).isEqualTo(RateLimits.Kind.USAGE_LIMIT);
        assertThat(unknownZone.resetAt()).isNull();
        assertThat(RateLimits.fromText("You're out of usage credits", NOW).map(RateLimits.Limit::kind))
                .contains(RateLimits.Kind.USAGE_LIMIT);
    }

    @Test
    void eventsAreClassifiedOnlyWhenTheyAreErrors() {
        assertThat(RateLimits.fromEvent(new ClaudeEvent.ApiRetry(1, 10, 500L, 429, "rate_limit"), NOW))
                .hasValueSatisfying(l -> {
                    assertThat(l.kind()).isEqualTo(RateLimits.Kind.RATE_LIMIT);
                    assertThat(l.retryAfter()).isEqualTo(Duration.ofMillis(500));
                });
        assertThat(RateLimits.fromEvent(new ClaudeEvent.ApiRetry(1, 10, 500L, 529, "overloaded"), NOW))
                .map(RateLimits.Limit::kind).contains(RateLimits.Kind.OVERLOADED);
        assertThat(RateLimits.fromEvent(new ClaudeEvent.ApiRetry(1, 10, 500L, 500, "server_error"), NOW)).isEmpty();
        // Prose about rate limits is not an error.
        assertThat(RateLimits.fromEvent(
                new ClaudeEvent.AssistantText("Add a rate limit of 429 per minute.", "m", null, null), NOW)).isEmpty();
        assertThat(RateLimits.fromEvent(new ClaudeEvent.Result("success", false, "the usage limit is 5", "s", 0.0,
                Usage.ZERO, 1, 1L, 1L, null, List.of()), NOW)).isEmpty();
        assertThat(RateLimits.fromEvent(new ClaudeEvent.Result("success", true, "API Error: Connection error.", "s",
                0.0, Usage.ZERO, 1, 1L, 1L, 529, List.of()), NOW)).map(RateLimits.Limit::kind)
                .contains(RateLimits.Kind.OVERLOADED);
        assertThat(RateLimits.fromEvent(new ClaudeEvent.RateLimit("rejected", NOW.plusSeconds(60), "five_hour",
                false), NOW)).map(RateLimits.Limit::resetAt).contains(NOW.plusSeconds(60));
        assertThat(RateLimits.fromEvent(new ClaudeEvent.RateLimit("allowed_warning", null, "five_hour", false), NOW))
                .isEmpty();
        assertThat(RateLimits.fromEvent(null, NOW)).isEmpty();
    }
}
