// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.util.Locale;
import java.util.Map;

/**
 * What the reports of a results file share: the results, the Markdown written so far, and the formats of the
 * numbers (a missing or unreadable number prints as "–").
 */
abstract class MarkdownReport {
    protected final Map<String, String> m;
    protected final StringBuilder out = new StringBuilder();

    protected MarkdownReport(Map<String, String> m) {
        this.m = m;
    }

    protected void row(String... cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    protected void line(String s) {
        out.append(s).append('\n');
    }

    protected String get(String k) {
        return m.getOrDefault(k, "?");
    }

    protected double num(String k) {
        try {
            return Double.parseDouble(m.get(k));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    protected static String met(boolean yes) {
        return yes ? "yes" : "**no**";
    }

    protected static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    protected static String pct(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    protected static String mb(double bytes) {
        return Double.isNaN(bytes) ? "–" : String.format(Locale.ROOT, "%.2f", bytes / 1e6);
    }

    protected static String fmt1(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    protected static String fmt2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    protected static String fmt3(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    protected static String fmtInt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,d", Math.round(v));
    }
}
