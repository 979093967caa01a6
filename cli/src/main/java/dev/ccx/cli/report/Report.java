// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.report;

import dev.ccx.cli.progress.Units;
import dev.ccx.client.CommandResult;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The outcome of a batch or task list: a JSON document for machines ({@link #write}) and a summary for people
 * ({@link #summary}). The JSON holds every task's status, exit code, timings, output and Claude result; the summary
 * one line per task, with the last lines of stderr under each task that did not succeed.
 *
 * @param kind     {@code batch} or {@code tasks}
 * @param file     the task file as given
 * @param server   the server's URL
 * @param started  when the run began
 * @param took     how long it took in all
 * @param settings the settings in force (concurrency, stop on failure, timeout...), written as given
 * @param entries  one per task, in file order
 */
public record Report(String kind, String file, String server, Instant started, Duration took,
                     Map<String, Object> settings, List<Entry> entries) {
    private static final int STDERR_LINES = 5;

    /**
     * One task.
     *
     * @param name   its name in the file, or a short form of it
     * @param line   where it starts in the file (1-based)
     * @param result its outcome
     */
    public record Entry(String name, int line, TaskResult result) {
    }

    /** Copies the lists. */
    public Report {
        settings = Map.copyOf(settings);
        entries = List.copyOf(entries);
    }

    /** How many tasks ended with each status; statuses no task had are left out. */
    public Map<TaskStatus, Integer> counts() {
        Map<TaskStatus, Integer> counts = new EnumMap<>(TaskStatus.class);
        for (Entry e : entries) {
            counts.merge(e.result().status(), 1, Integer::sum);
        }
        return counts;
    }

    /** Whether every task succeeded. */
    public boolean allSucceeded() {
        return entries.stream().allMatch(e -> e.result().succeeded());
    }

    /** The JSON document. */
    public ObjectNode toJson() {
        ObjectNode n = Wire.mapper().createObjectNode();
        n.put("kind", kind);
        n.put("file", file);
        n.put("server", server);
        n.put("started_at", started.toString());
        n.put("duration", ResultJson.seconds(took));
        n.set("settings", Wire.mapper().valueToTree(settings));
        ObjectNode counts = n.putObject("counts");
        counts.put("total", entries.size());
        counts().forEach((s, c) -> counts.put(s.name().toLowerCase(Locale.ROOT), c));
        ArrayNode tasks = n.putArray("tasks");
        for (Entry e : entries) {
            tasks.add(ResultJson.task(e.result(), e.name(), true).put("line", e.line()));
        }
        return n;
    }

    /** Writes the JSON document to {@code target} (creating its directory), atomically: never a half report. */
    public Path write(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".ccx-report", ".tmp");
        try {
            Files.writeString(tmp, Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson())
                    + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The summary for people, ending with a newline. */
    public String summary() {
        String nl = System.lineSeparator();
        StringBuilder b = new StringBuilder("ccx ").append(kind).append(' ').append(file).append(": ")
                .append(entries.size()).append(entries.size() == 1 ? " task" : " tasks").append(" in ")
                .append(Units.duration(took)).append(" —");
        String sep = " ";
        for (Map.Entry<TaskStatus, Integer> c : counts().entrySet()) {
            b.append(sep).append(c.getValue()).append(' ').append(label(c.getKey()));
            sep = ", ";
        }
        b.append(nl);
        int width = String.valueOf(entries.size()).length();
        String indent = " ".repeat(width + 23);
        for (Entry e : entries) {
            TaskResult r = e.result();
            String took = r.result() == null ? "" : Units.duration(r.result().duration());
            b.append(String.format(Locale.ROOT, "  %" + width + "d  %-8s %8s  %s", r.index() + 1,
                    label(r), took, e.name()));
            if (r.message() != null) {
                b.append(" — ").append(r.message());
            }
            b.append(nl);
            if (!r.succeeded() && r.result() != null) {
                for (String line : lastLines(r.result().stderr(), STDERR_LINES)) {
                    b.append(indent).append("| ").append(line).append(nl);
                }
            }
        }
        return b.toString();
    }

    private static String label(TaskStatus s) {
        return s == TaskStatus.SUCCESS ? "ok" : s.name().toLowerCase(Locale.ROOT);
    }

    /**
     * One word for how a task ended, the same in summaries and progress lines: {@code ok}, {@code failed},
     * {@code timeout}, {@code error}, {@code skipped}, or {@code canceled} for a run that was canceled (Ctrl-C, a
     * closed connection), which the client counts as failed.
     */
    public static String label(TaskResult r) {
        CommandResult c = r.result();
        boolean canceled = r.status() == TaskStatus.FAILED && c != null
                && (c.reason() == EndReason.CANCELED || c.reason() == EndReason.DISCONNECT);
        return canceled ? "canceled" : label(r.status());
    }

    /** The last {@code n} non-blank lines of {@code text}. */
    public static List<String> lastLines(String text, int n) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
