// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.progress.Units;
import dev.ccx.protocol.Health;
import dev.ccx.protocol.TaskRun;
import dev.ccx.protocol.TaskStats;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The plain-text reports of {@code ccx health} and {@code ccx history}: pure functions of the server's answers and
 * a time zone, so they are tested without a server. Every report ends with a newline.
 */
final class HealthHistoryText {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String DEGRADED = "degraded: Redis is configured but failing, the embedded store answers";

    private HealthHistoryText() {
    }

    /** The {@code /health} document {@code h}, fetched from {@code from}, as a short summary. */
    static String health(Health h, URI from) {
        return "ccx " + h.version() + " at " + from + "\n"
                + "  status     " + h.status() + "\n"
                + "  uptime     " + duration(h.uptimeSeconds()) + "\n"
                + "  sessions   " + h.activeSessions() + " of " + h.maxSessions() + "\n"
                + "  processes  " + h.runningProcesses() + " of " + h.maxProcesses()
                + (h.spawner() == null ? "" : " (spawner " + h.spawner() + ")") + "\n"
                + "  timing     " + h.timingStore() + (h.timingDegraded() ? " (" + DEGRADED + ")" : "") + "\n"
                + (h.cluster() == null ? "" : cluster(h.cluster()));
    }

    /** The cluster as the node sees it: itself, then one row per live node. */
    private static String cluster(dev.ccx.protocol.ClusterHealth c) {
        List<List<String>> rows = new ArrayList<>();
        for (dev.ccx.protocol.ClusterHealth.Node n : c.nodes()) {
            rows.add(List.of(n.id() + (n.id().equals(c.node()) ? " *" : ""), n.role(),
                    n.running() + "/" + n.maxProcesses(), n.labels().isEmpty() ? "-" : String.join(",", n.labels()),
                    String.format(Locale.ROOT, "%.1fs", n.ageSeconds()), n.url() == null ? "-" : n.url()));
        }
        return "  cluster    node " + c.node() + " (" + c.role() + ")" + (c.available() ? ""
                : ", REDIS UNREACHABLE: new executions fail or run here only") + ", " + c.nodes().size()
                + (c.nodes().size() == 1 ? " node" : " nodes") + " live\n"
                + table(List.of("NODE", "ROLE", "RUNNING", "LABELS", "SEEN", "URL"), rows);
    }

    /** The runs of task {@code key} (newest first, as the server sends them), one row each. */
    static String history(String key, List<TaskRun> runs, ZoneId zone) {
        if (runs.isEmpty()) {
            return "no runs recorded for " + key + "\n";
        }
        List<List<String>> rows = new ArrayList<>();
        for (TaskRun r : runs) {
            rows.add(List.of(when(r.timestamp(), zone), duration(r.duration()), String.valueOf(r.exitCode()),
                    r.reason() == null ? "-" : r.reason().wire(), duration(r.timeout()),
                    String.format(Locale.ROOT, "%.2f", r.load())));
        }
        return key + ": " + runs.size() + (runs.size() == 1 ? " run" : " runs") + ", newest first\n"
                + table(List.of("ENDED", "DURATION", "EXIT", "REASON", "TIMEOUT", "LOAD"), rows);
    }

    /** Statistics per task (most recently run first, as the server sends them), under the store that answered. */
    static String stats(String store, boolean degraded, List<TaskStats> tasks, String category, ZoneId zone) {
        String head = "timing store: " + store + (degraded ? " (" + DEGRADED + ")" : "") + "\n";
        if (tasks.isEmpty()) {
            return head + "no runs recorded" + (category == null ? "" : " in category " + category) + "\n";
        }
        List<List<String>> rows = new ArrayList<>();
        for (TaskStats t : tasks) {
            rows.add(List.of(t.category() + ":" + t.name(), String.valueOf(t.count()),
                    Math.round(t.successRate() * 100) + "%", duration(t.p50()), duration(t.p90()),
                    duration(t.p99()), when(t.lastRun(), zone)));
        }
        return head + table(List.of("TASK", "RUNS", "OK", "P50", "P90", "P99", "LAST RUN"), rows);
    }

    /** Seconds as {@link Units#duration} writes them; null is -. */
    static String duration(Double seconds) {
        return seconds == null ? "-" : Units.duration(Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static String when(double epochSeconds, ZoneId zone) {
        return WHEN.format(Instant.ofEpochMilli((long) (epochSeconds * 1000)).atZone(zone));
    }

    /** Left-aligned columns two spaces apart, each as wide as its widest cell. */
    private static String table(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        Stream.concat(Stream.of(header), rows.stream()).forEach(row -> {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        });
        StringBuilder b = new StringBuilder();
        Stream.concat(Stream.of(header), rows.stream()).forEach(row -> {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                line.append(row.get(i)).append(" ".repeat(width[i] - row.get(i).length() + 2));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        });
        return b.toString();
    }
}
