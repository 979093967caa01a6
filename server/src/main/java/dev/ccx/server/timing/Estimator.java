// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Predicts a timeout from run history. Pure: the caller fetches the history and the load average; nothing here
 * reads a clock, a store or the system.
 *
 * <h2>Method</h2>
 * <ol>
 *   <li><b>Which runs count.</b> Only runs that ended on their own ({@link RunRecord#endedOnItsOwn()}), successes
 *       and failures alike: a failing test suite still shows how long the suite takes, while a run that was timed
 *       out, cancelled or cut off says only that it took <i>at least</i> that long. Of those, the newest
 *       {@value #WINDOW} (by timestamp) are used, so the estimate follows a task that grows or speeds up and an old
 *       extreme run ages out.</li>
 *   <li><b>Which history.</b> The key's own runs when there are at least {@code minOwnSamples} of them
 *       (source {@code history}); else the pooled runs of other keys of the same category, as supplied by the
 *       caller, when there are at least {@code minSimilarSamples} (source {@code similar}); else the configured
 *       default of the category (source {@code default}, {@code expectedSeconds} null, {@code samples} 0). A key
 *       whose runs all timed out therefore has no own durations and falls through to similar or default.</li>
 *   <li><b>Percentile</b> by nearest rank: the {@code ceil(p·n)}-th smallest duration, always a duration that was
 *       observed. (The original's "p90" was {@code sorted[int(0.9·n)]} of at most 10 runs, i.e. always the
 *       maximum.)</li>
 *   <li><b>Timeout</b> = {@code max(minTimeout, percentile × safetyFactor) × loadFactor}; for {@code default},
 *       {@code max(minTimeout, categoryDefault) × loadFactor}. {@code loadFactor = clamp(load1 / cores, 1,
 *       maxLoadFactor)}: a machine with more runnable processes than cores runs each one slower, about in
 *       proportion; an idle machine does not make anything faster, and the cap keeps a load spike from producing
 *       absurd deadlines. The original multiplied by 3 above a fixed load of 14, whatever the core count.</li>
 *   <li><b>Expected</b> = the median of the durations used (mean of the middle two for an even count), times the
 *       load factor.</li>
 * </ol>
 *
 * <h2>Outliers</h2>
 * With p = 0.95, nearest rank ignores the largest {@code n - ceil(0.95·n)} durations: none below 20 runs, one from
 * 20, two from 40. So one huge run among 5 sets the timeout to 1.5 × that run, while among 20 or more it is
 * ignored. That is deliberate and there is no further cap: a run that ended on its own proved that the task can
 * take that long (a cold cache, a first build), and a too-generous timeout only delays noticing a hang, while a
 * too-tight one kills work that would have succeeded. The window of {@value #WINDOW} makes the outlier age out.
 *
 * <p>Recorded durations are not normalised by the load they ran under: a machine that is always busy gets
 * somewhat more generous timeouts, which errs on the safe side.
 */
public final class Estimator {
    /** How many of the newest usable runs an estimate looks at. */
    public static final int WINDOW = 50;

    /**
     * Tuning of the estimates.
     *
     * @param percentile               which percentile of the durations the timeout rests on, in (0, 1]
     * @param safetyFactor             multiplier on that percentile, at least 1
     * @param minOwnSamples            own runs needed to use them, at least 1
     * @param minSimilarSamples        runs of similar keys needed to use them, at least 1
     * @param minTimeoutSeconds        the smallest timeout before load scaling, positive
     * @param maxLoadFactor            cap on the load scaling, at least 1
     * @param defaultTimeoutByCategory timeout per category when there is no usable history
     * @param defaultTimeoutSeconds    timeout for categories not in that map
     */
    public record Settings(double percentile, double safetyFactor, int minOwnSamples, int minSimilarSamples,
                           double minTimeoutSeconds, double maxLoadFactor, Map<String, Double> defaultTimeoutByCategory,
                           double defaultTimeoutSeconds) {
        public Settings {
            require(percentile > 0 && percentile <= 1, "percentile must be in (0, 1]: " + percentile);
            require(safetyFactor >= 1 && Double.isFinite(safetyFactor), "safetyFactor must be >= 1: " + safetyFactor);
            require(minOwnSamples >= 1, "minOwnSamples must be >= 1: " + minOwnSamples);
            require(minSimilarSamples >= 1, "minSimilarSamples must be >= 1: " + minSimilarSamples);
            require(positive(minTimeoutSeconds), "minTimeoutSeconds must be positive: " + minTimeoutSeconds);
            require(maxLoadFactor >= 1 && Double.isFinite(maxLoadFactor),
                    "maxLoadFactor must be >= 1: " + maxLoadFactor);
            require(positive(defaultTimeoutSeconds), "defaultTimeoutSeconds must be positive: "
                    + defaultTimeoutSeconds);
            Objects.requireNonNull(defaultTimeoutByCategory, "defaultTimeoutByCategory");
            defaultTimeoutByCategory.forEach((category, seconds) -> require(category != null
                    && seconds != null && positive(seconds), "bad default timeout: " + category + "=" + seconds));
            defaultTimeoutByCategory = Map.copyOf(defaultTimeoutByCategory);
        }

        /**
         * p95 × 1.5 from 3 own or 5 similar runs, at least 10 s, load scaling up to 3×; with no history, 1800 s
         * for Claude Code and 600 s otherwise.
         *
         * <p>Why: p95 rather than the maximum so that, with enough runs, one freak run does not set the deadline;
         * × 1.5 because durations spread, and a timeout that kills a normal run costs far more than one that
         * waits a little long. Three runs are the fewest that say anything about a spread; a pool of other tasks
         * is less alike, so it needs more. 10 s keeps instant commands from being killed by a hiccup (a cold
         * disk cache, a paging pause). The load cap of 3 matches the original's multiplier. The defaults are the
         * original's: 1800 s is its ceiling for complex tasks (600 × 3), where Claude Code runs with tools often
         * take many minutes; 600 s is its floor for unknown tasks and its default execution timeout.
         */
        public static Settings defaults() {
            return new Settings(0.95, 1.5, 3, 5, 10, 3.0, Map.of("claude", 1800.0), 600);
        }

        private static boolean positive(double v) {
            return v > 0 && Double.isFinite(v);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private final Settings settings;

    public Estimator(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** An estimator with {@link Settings#defaults()}. */
    public Estimator() {
        this(Settings.defaults());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The timeout for a run of {@code key}.
     *
     * @param key     the task kind
     * @param own     its history (any order; {@code null} for none)
     * @param similar runs of other keys of its category (any order; {@code null} for none)
     * @param load1   the one-minute load average now ({@code NaN} or negative when unknown: no scaling)
     * @param cores   the number of cores (0 or less when unknown: no scaling)
     */
    public Estimate estimate(TaskKey key, List<RunRecord> own, List<RunRecord> similar, double load1, int cores) {
        Objects.requireNonNull(key, "key");
        double factor = loadFactor(load1, cores, settings.maxLoadFactor());
        double[] ownDurations = durations(own);
        if (ownDurations.length >= settings.minOwnSamples()) {
            return fromDurations(key, ownDurations, "history", factor);
        }
        double[] similarDurations = durations(similar);
        if (similarDurations.length >= settings.minSimilarSamples()) {
            return fromDurations(key, similarDurations, "similar", factor);
        }
        double base = settings.defaultTimeoutByCategory()
                .getOrDefault(key.category(), settings.defaultTimeoutSeconds());
        return new Estimate(key, Math.max(settings.minTimeoutSeconds(), base) * factor, "default", null, 0, factor);
    }

    /** {@code clamp(load1 / cores, 1, max)}; 1 when either is unknown. */
    static double loadFactor(double load1, int cores, double max) {
        if (cores <= 0 || !(load1 > 0)) { // also NaN
            return 1.0;
        }
        return Math.min(max, Math.max(1.0, load1 / cores));
    }

    private Estimate fromDurations(TaskKey key, double[] sorted, String source, double factor) {
        double high = percentile(sorted, settings.percentile());
        double timeout = Math.max(settings.minTimeoutSeconds(), high * settings.safetyFactor()) * factor;
        return new Estimate(key, timeout, source, median(sorted) * factor, sorted.length, factor);
    }

    /** Durations of the newest {@link #WINDOW} runs that ended on their own, sorted ascending. */
    static double[] durations(List<RunRecord> runs) {
        if (runs == null) {
            return new double[0];
        }
        List<RunRecord> usable = new ArrayList<>(runs.size());
        for (RunRecord r : runs) {
            if (r != null && r.endedOnItsOwn() && r.durationSeconds() >= 0 && Double.isFinite(r.durationSeconds())) {
                usable.add(r);
            }
        }
        usable.sort(Comparator.comparingLong(RunRecord::timestampMillis).reversed());
        int n = Math.min(WINDOW, usable.size());
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = usable.get(i).durationSeconds();
        }
        Arrays.sort(d);
        return d;
    }

    /** Nearest rank: the {@code ceil(p·n)}-th smallest of {@code sorted} (not empty). */
    static double percentile(double[] sorted, double p) {
        // The epsilon keeps 0.95 × 20 = 19.000000000000004 from becoming rank 20.
        int rank = (int) Math.ceil(p * sorted.length - 1e-9);
        return sorted[Math.clamp(rank, 1, sorted.length) - 1];
    }

    /** The middle value, or the mean of the middle two, of {@code sorted} (not empty). */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
