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
        for (String name : new String[] {"rss_kb", "threads", "fds"}) {
            String pct = m.get(k + ".change_pct." + name);
            row(out, name.replace("_kb", " KiB") + ": minute 2 → last minute (medians)", m.get(k + ".minute2." + name)
                    + " → " + m.get(k + ".end." + name) + " (" + pct + "%)", "within ±10%", met(within10(pct)));
        }
        if (m.containsKey(k + ".first_problem")) {
            out.append("\nFirst problem: ").append(m.get(k + ".first_problem")).append('\n');
        }
        return out.toString();
    }

    private static boolean within10(String pct) {
        try {
            return Math.abs(Double.parseDouble(pct)) <= 10;
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
