// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The results of {@code bench/soak} as a Markdown table, with the goals of (e). */
final class SoakReport {
    private SoakReport() {
    }

    static String render(Path file) throws IOException {
        Map<String, String> m = Results.read(file);
        String k = "soak";
        StringBuilder out = new StringBuilder();
        out.append("Machine: ").append(m.get("meta.nproc")).append(" cores, ").append(m.get("meta.cpu")).append("; ")
                .append(m.get("meta.jdk")).append("; ccx ").append(m.get("meta.ccx")).append(", spawner ")
                .append(m.get("meta.spawner")).append(", JVM options `").append(m.get("meta.ccx_jvm_opts"))
                .append("`.\n\n");
        out.append("| | value | goal | met |\n|---|---:|---|---|\n");
        row(out, "duration, s / connections", fmt(m.get(k + ".seconds")) + " / " + m.get(k + ".conns"), "", "");
        row(out, "executions (echo, 10 MB, cancel, timeout, idle, abrupt disconnect, unread flood)",
                m.get(k + ".executions") + " (" + m.get(k + ".tasks.echo") + ", " + m.get(k + ".tasks.big") + ", "
                        + m.get(k + ".tasks.cancel") + ", " + m.get(k + ".tasks.timeout") + ", "
                        + m.get(k + ".tasks.idle") + ", " + m.get(k + ".tasks.disconnect") + ", "
                        + m.get(k + ".unread_floods") + ")", "", "");
        row(out, "lost, duplicated or wrong completions", m.get(k + ".problems"), "0",
                met("0".equals(m.get(k + ".problems"))));
        row(out, "process groups left at the end", m.get(k + ".leftover_groups"), "0",
                met("0".equals(m.get(k + ".leftover_groups"))));
        String[] names = {"rss_kb", "threads", "fds"};
        long[] peaks = peaks(m.getOrDefault(k + ".samples_s_rss_threads_fds", ""));
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            String pct = m.get(k + ".change_pct." + name);
            row(out, name.replace("_kb", " KiB") + ": minute 2 → last minute under load (medians); peak of the run",
                    m.get(k + ".minute2." + name) + " → " + m.get(k + ".end." + name) + " (" + pct + "%); "
                            + peaks[i], "at most +10%", met(grewAtMost10(pct)));
        }
        for (String name : names) {
            if (m.containsKey(k + ".rest_after." + name)) {
                row(out, name.replace("_kb", " KiB") + " at rest: before the load → after it (no connection, no "
                        + "process)", m.get(k + ".rest_before." + name) + " → " + m.get(k + ".rest_after." + name),
                        "", "");
            }
        }
        if (m.containsKey(k + ".first_problem")) {
            out.append("\nFirst problem: ").append(m.get(k + ".first_problem")).append('\n');
        }
        if (m.containsKey(k + ".first_leftover")) {
            out.append("\nFirst process left: ").append(m.get(k + ".first_leftover")).append('\n');
        }
        return out.toString();
    }

    /** The highest RSS, threads and descriptors of the samples ({@code s:rss/threads/fds ...}). */
    private static long[] peaks(String series) {
        long[] peak = new long[3];
        for (String sample : series.split(" ")) {
            int colon = sample.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] v = sample.substring(colon + 1).split("/");
            for (int i = 0; i < 3 && i < v.length; i++) {
                peak[i] = Math.max(peak[i], Long.parseLong(v[i]));
            }
        }
        return peak;
    }

    /**
     * The soak looks for growth (a leak): ending with fewer threads or descriptors than at minute 2 (Jetty's pool
     * shrinking after the connection burst, fewer pipes open at that moment) is reported, not failed.
     */
    private static boolean grewAtMost10(String pct) {
        try {
            return Double.parseDouble(pct) <= 10;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void row(StringBuilder out, String... cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private static String met(boolean yes) {
        return yes ? "yes" : "**no**";
    }

    private static String fmt(String v) {
        try {
            return String.format(Locale.ROOT, "%.0f", Double.parseDouble(v));
        } catch (RuntimeException e) {
            return String.valueOf(v);
        }
    }
}
