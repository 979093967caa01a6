// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises rate-limit, overload and usage-limit errors of Claude Code, on stdout (stream-json events) and on
 * stderr. The original looked only at stderr of a failed run ({@code rate limit}, {@code 429},
 * {@code too many requests}) and so missed the usage-limit text that the CLI prints as the {@code result}.
 *
 * <p>What is recognised:
 * <ul>
 *   <li>{@code rate_limit_event} with {@code status: rejected}: a usage limit with its structured
 *       {@code resetsAt};</li>
 *   <li>{@code system}/{@code api_retry} with {@code error_status} 429 or an {@code error} of {@code rate_limit}
 *       ({@link Kind#RATE_LIMIT}), 529 or {@code overloaded} ({@link Kind#OVERLOADED}); the CLI's
 *       {@code retry_delay_ms} becomes {@link Limit#retryAfter()};</li>
 *   <li>an {@code assistant} message that carries an API {@code error}, and a {@code result} with {@code is_error}:
 *       {@code api_error_status} 429/529, then the texts below;</li>
 *   <li>texts: {@code Claude AI usage limit reached|<epoch seconds>} (older CLIs), {@code You've hit your limit ·
 *       resets 1:30am (Asia/Dhaka)} and {@code Your limit will reset at 3pm (America/Bogota)} (newer ones; the
 *       reset is the next such wall-clock time in that zone), other "usage limit" wording, {@code overloaded} /
 *       {@code 529}, {@code rate limit} / {@code rate_limit} / {@code 429} / {@code too many requests}.</li>
 * </ul>
 * Ordinary assistant prose is never classified: Claude may well write about rate limits. Stateless and thread-safe;
 * nothing here throws on odd input, it just finds nothing.
 */
public final class RateLimits {

    /** What kind of limit was hit. */
    public enum Kind {
        /** HTTP 429: too many requests or tokens per minute; short back-off helps. */
        RATE_LIMIT,
        /** HTTP 529: the API is overloaded; short back-off helps. */
        OVERLOADED,
        /** The subscription's usage window is used up; only waiting for the reset helps. */
        USAGE_LIMIT
    }

    /**
     * One recognised limit.
     *
     * @param kind what was hit
     * @param httpStatus the HTTP status if known (429, 529), else {@code null}
     * @param resetAt when a usage limit resets, if the message said so, else {@code null}
     * @param retryAfter a suggested wait (the CLI's own {@code retry_delay_ms}), else {@code null}
     * @param message the text it was recognised in, cut to 300 characters
     */
    public record Limit(Kind kind, Integer httpStatus, Instant resetAt, Duration retryAfter, String message) {
    }

    private static final int MESSAGE_CHARS = 300;
    private static final Pattern USAGE_EPOCH = Pattern.compile("(?i)usage limit reached\\|(\\d{9,13})");
    private static final Pattern USAGE_WORDS = Pattern.compile(
            "(?i)usage limit|hit your (?:\\w+ )*limit|limit will reset|out of (?:extra )?usage|spend limit"
                    + "|(?:session|weekly|5-hour) limit reached");
    private static final Pattern RESET_CLOCK = Pattern.compile(
            "(?i)\\breset(?:s)?(?:\\s+at)?\\s+(?:([A-Z][a-z]{2})\\w*\\.? (\\d{1,2}),? )?"
                    + "(\\d{1,2})(?::(\\d{2}))?\\s*([ap])\\.?m\\.?\\s*\\(([A-Za-z][\\w+\\-/]*)\\)");
    private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
    private static final Pattern OVERLOADED = Pattern.compile("(?i)overloaded|\\b529\\b");
    private static final Pattern RATE = Pattern.compile("(?i)rate[ _-]?limit|too many requests|\\b429\\b");

    private RateLimits() {
    }

    /** Classifies one parsed event at the current time; see {@link #fromEvent(ClaudeEvent, Instant)}. */
    public static Optional<Limit> fromEvent(ClaudeEvent event) {
        return fromEvent(event, Instant.now());
    }

    /**
     * Classifies one parsed event: {@code api_retry}, an assistant message carrying an API error, or an error
     * {@code result}. Everything else gives empty.
     *
     * @param now the time a wall-clock reset ("resets 3pm") is resolved against
     */
    public static Optional<Limit> fromEvent(ClaudeEvent event, Instant now) {
        return switch (event) {
            case ClaudeEvent.ApiRetry r -> fromRetry(r);
            case ClaudeEvent.AssistantText a when a.apiError() != null -> fromApiError(a, now);
            case ClaudeEvent.Result r when r.isError() -> fromResult(r, now);
            case ClaudeEvent.RateLimit r when "rejected".equals(r.status()) -> Optional.of(new Limit(Kind.USAGE_LIMIT,
                    null, r.resetsAt(), null, "rate_limit_event rejected" + (r.rateLimitType() == null ? ""
                    : " (" + r.rateLimitType() + ")")));
            case null, default -> Optional.empty();
        };
    }

    /** Classifies one stderr line at the current time. */
    public static Optional<Limit> fromStderr(String line) {
        return fromText(line, Instant.now());
    }

    /** Classifies one stderr line; see {@link #fromText(String, Instant)}. */
    public static Optional<Limit> fromStderr(String line, Instant now) {
        return fromText(line, now);
    }

    /**
     * Classifies an error text (a {@code result} of an error run, an API error message, a stderr line). Only pass
     * text that is known to be an error: the patterns are plain words.
     *
     * @param now the time a wall-clock reset is resolved against
     */
    public static Optional<Limit> fromText(String text, Instant now) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String message = text.length() <= MESSAGE_CHARS ? text : text.substring(0, MESSAGE_CHARS);
        Matcher epoch = USAGE_EPOCH.matcher(text);
        if (epoch.find()) {
            return Optional.of(new Limit(Kind.USAGE_LIMIT, null, epochInstant(epoch.group(1)), null, message));
        }
        if (USAGE_WORDS.matcher(text).find()) {
            return Optional.of(new Limit(Kind.USAGE_LIMIT, null, resetClock(text, now), null, message));
        }
        if (OVERLOADED.matcher(text).find()) {
            return Optional.of(new Limit(Kind.OVERLOADED, 529, null, null, message));
        }
        if (RATE.matcher(text).find()) {
            return Optional.of(new Limit(Kind.RATE_LIMIT, 429, null, null, message));
        }
        return Optional.empty();
    }

    private static Optional<Limit> fromRetry(ClaudeEvent.ApiRetry r) {
        String error = r.error() == null ? "" : r.error().toLowerCase(Locale.ROOT);
        Duration after = r.retryDelayMs() == null || r.retryDelayMs() < 0 ? null : Duration.ofMillis(r.retryDelayMs());
        String message = "api_retry " + r.attempt() + "/" + r.maxRetries() + ": " + (r.httpStatus() == null ? ""
                : "HTTP " + r.httpStatus() + " ") + (r.error() == null ? "" : r.error());
        Integer status = r.httpStatus();
        if ((status != null && status == 429) || error.contains("rate_limit") || error.contains("rate limit")) {
            return Optional.of(new Limit(Kind.RATE_LIMIT, status == null ? 429 : status, null, after, message));
        }
        if ((status != null && status == 529) || error.contains("overloaded")) {
            return Optional.of(new Limit(Kind.OVERLOADED, status == null ? 529 : status, null, after, message));
        }
        return Optional.empty();
    }

    private static Optional<Limit> fromApiError(ClaudeEvent.AssistantText a, Instant now) {
        Optional<Limit> fromText = fromText(a.text(), now);
        if (fromText.isPresent()) {
            return fromText;
        }
        return fromText(a.apiError(), now);
    }

    private static Optional<Limit> fromResult(ClaudeEvent.Result r, Instant now) {
        Optional<Limit> found = fromText(r.result(), now);
        if (found.isEmpty()) {
            found = fromText(String.join("\n", r.errors()), now);
        }
        Integer status = r.apiErrorStatus();
        if (found.isPresent() || status == null) {
            return found.map(l -> status == null || l.httpStatus() != null ? l
                    : new Limit(l.kind(), status, l.resetAt(), l.retryAfter(), l.message()));
        }
        String message = r.result() == null ? "HTTP " + status : r.result();
        if (status == 429) {
            return Optional.of(new Limit(Kind.RATE_LIMIT, 429, null, null, cut(message)));
        }
        if (status == 529) {
            return Optional.of(new Limit(Kind.OVERLOADED, 529, null, null, cut(message)));
        }
        return Optional.empty();
    }

    private static String cut(String s) {
        return s.length() <= MESSAGE_CHARS ? s : s.substring(0, MESSAGE_CHARS);
    }

    private static Instant epochInstant(String digits) {
        long value = Long.parseLong(digits); // at most 13 digits: cannot overflow
        // Seconds in practice; a 13-digit value can only be milliseconds.
        return digits.length() >= 13 ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
    }

    /**
     * The time named by "resets 1:30am (Asia/Dhaka)" (the next such time after {@code now}) or by
     * "resets Nov 25, 3pm (Europe/Paris)" (that day, this year or the next), or {@code null}.
     */
    static Instant resetClock(String text, Instant now) {
        Matcher m = RESET_CLOCK.matcher(text);
        if (!m.find()) {
            return null;
        }
        int hour = Integer.parseInt(m.group(3));
        int minute = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
        if (hour < 1 || hour > 12 || minute > 59) {
            return null;
        }
        int hour24 = hour % 12 + (m.group(5).equalsIgnoreCase("p") ? 12 : 0);
        try {
            ZoneId zone = ZoneId.of(m.group(6));
            ZonedDateTime local = now.atZone(zone);
            ZonedDateTime reset = local.withHour(hour24).withMinute(minute).withSecond(0).withNano(0);
            if (m.group(1) != null) {
                int index = MONTHS.indexOf(m.group(1).toLowerCase(Locale.ROOT));
                if (index < 0 || index % 3 != 0) {
                    return null;
                }
                reset = reset.withMonth(index / 3 + 1).withDayOfMonth(Integer.parseInt(m.group(2)));
                return (reset.isBefore(local.minusDays(1)) ? reset.plusYears(1) : reset).toInstant();
            }
            return (reset.isAfter(local) ? reset : reset.plusDays(1)).toInstant();
        } catch (DateTimeException e) {
            return null; // unknown zone or day: still a usage limit, just without a known reset
        }
    }
}
