// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Prints the results of {@code bench/cluster} as Markdown tables, each cluster case next to the single server. */
final class ClusterReport extends MarkdownReport {

    private ClusterReport(Map<String, String> m) {
        super(m);
    }

    static String render(Path file) throws IOException {
        return new ClusterReport(Results.read(file)).render();
    }

    private String render() {
        line("Machine: " + get("meta.nproc") + " cores, " + get("meta.cpu") + ", " + get("meta.mem") + " RAM; "
                + get("meta.jdk") + "; " + get("meta.redis") + "; ccx " + get("meta.ccx") + "; ccx JVM options `"
                + get("meta.ccx_jvm_opts") + "`" + ("1".equals(m.get("meta.quick")) ? "; **--quick counts**" : "")
                + ". Every node, the load generator and Redis share these cores.");
        line("");
        if (m.containsKey("echo.single.p50_ms")) {
            line("**1. `echo hi`, execute to `process.completed`**, one connection, " + get("echo.single.n")
                    + " samples each after warm-up (ms):");
            line("");
            row("where it runs", "p50", "p99", "added at p50");
            row("---", "---:", "---:", "---:");
            echo("single server", "echo.single");
            echo("cluster, placed on the node the client is on", "echo.local");
            echo("cluster, gateway → another worker (frames through Redis)", "echo.remote");
            line("");
        }
        if (m.containsKey("conc.single.wall_s")) {
            line("**2. " + fmtInt(num("conc.single.conns")) + " connections, each `sleep 1; echo done`**, all started "
                    + "at once; wall time to the last `process.completed`:");
            line("");
            row("setup", "completed", "wall s", "RSS peak of the node clients use, MB");
            row("---", "---:", "---:", "---:");
            conc("one server, --max-processes " + fmtInt(num("conc.single.conns")), "conc.single");
            conc("three nodes (clients on the first; it places the rest)", "conc.cluster");
            line("");
        }
        if (m.containsKey("lines.single.lines_per_s")) {
            line("**3. (b), " + fmtInt(num("lines.single.lines")) + " lines of 100 B on one connection**, median of "
                    + get("lines.single.runs") + " runs:");
            line("");
            row("setup", "lines/s", "payload MB/s", "vs single");
            row("---", "---:", "---:", "---:");
            lines("single server", "lines.single");
            lines("gateway → worker (stream + mirror)", "lines.cluster");
            line("");
            line("Redis peak memory during the run: " + get("lines.redis_used_memory_peak") + ".");
        }
        for (String k : m.keySet()) {
            if (k.endsWith(".error") || k.endsWith(".first_error")) {
                line("");
                line("**" + k + "**: " + m.get(k));
            }
        }
        return out.toString();
    }

    private void echo(String label, String key) {
        row(label, fmt2(num(key + ".p50_ms")), fmt2(num(key + ".p99_ms")), key.equals("echo.single") ? "–"
                : fmt2(num(key + ".p50_ms") - num("echo.single.p50_ms")));
    }

    private void conc(String label, String key) {
        row(label, fmtInt(num(key + ".ok")) + " of " + fmtInt(num(key + ".conns")), fmt2(num(key + ".wall_s")),
                fmt1(num(key + ".rss_peak_mb")));
    }

    private void lines(String label, String key) {
        row(label, fmtInt(num(key + ".lines_per_s")), fmt1(num(key + ".payload_mb_per_s")),
                ratio(num(key + ".lines_per_s"), num("lines.single.lines_per_s")));
    }
}
