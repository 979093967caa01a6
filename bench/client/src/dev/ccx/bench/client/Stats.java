// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.util.Arrays;

/** Order statistics of a small set of durations (nanoseconds), in milliseconds; nearest-rank percentiles. */
record Stats(int n, double p50, double p95, double min, double max) {

    static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Stats(s.length, ms(pct(s, 50)), ms(pct(s, 95)), ms(s[0]), ms(s[s.length - 1]));
    }

    /** Nearest-rank percentile: for n = 20, p95 is the 19th value; for n = 10, the largest. */
    static long pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The nearest-rank percentile {@code p} (0: the smallest) of {@code nanos}, in milliseconds. */
    static double pctMs(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return ms(p <= 0 ? s[0] : pct(s, p));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    @Override
    public String toString() {
        return String.format("n=%d p50=%.1fms p95=%.1fms min=%.1fms max=%.1fms", n, p50, p95, min, max);
    }
}
