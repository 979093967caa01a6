// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.util.Arrays;

/** Percentiles of a set of durations (nanoseconds), by sorting: the sample counts here are small. */
record Stats(int n, double p50Ms, double p90Ms, double p99Ms, double maxMs, double minMs, double meanMs) {

    static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) {
            sum += v;
        }
        return new Stats(s.length, ms(pct(s, 50)), ms(pct(s, 90)), ms(pct(s, 99)), ms(s[s.length - 1]), ms(s[0]),
                sum / s.length / 1e6);
    }

    /** Nearest-rank percentile. */
    static long pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Writes {@code prefix.n}, {@code prefix.p50_ms}, ... */
    void record(Results r, String prefix) {
        r.put(prefix + ".n", n);
        r.put(prefix + ".p50_ms", p50Ms);
        r.put(prefix + ".p90_ms", p90Ms);
        r.put(prefix + ".p99_ms", p99Ms);
        r.put(prefix + ".max_ms", maxMs);
        r.put(prefix + ".min_ms", minMs);
        r.put(prefix + ".mean_ms", meanMs);
    }

    @Override
    public String toString() {
        return String.format("n=%d p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms min=%.3fms mean=%.3fms", n, p50Ms,
                p90Ms, p99Ms, maxMs, minMs, meanMs);
    }
}
