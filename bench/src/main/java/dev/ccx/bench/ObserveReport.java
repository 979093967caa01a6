// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Prints the results of {@code bench/observe} as Markdown tables. */
final class ObserveReport extends MarkdownReport {

    private ObserveReport(Map<String, String> m) {
        super(m);
    }

    static String render(Path file) throws IOException {
        return new ObserveReport(Results.read(file)).render();
    }

    private String render() {
        line("Machine: " + get("meta.nproc") + " cores, " + get("meta.cpu") + ", " + get("meta.mem") + " RAM; "
                + get("meta.jdk") + "; ccx " + get("meta.ccx") + "; " + get("meta.browser")
                + ("1".equals(m.get("meta.quick")) ? "; **--quick counts**" : "") + ".");
        line("");
        line("**`/metrics` with executions running** (`sleep 600` each, one connection), "
                + get("scrape.1000.metrics.n") + " sequential GETs per row after warm-up, one kept-alive HTTP "
                + "connection; `/health` on the same server is the floor of an HTTP round trip. ms:");
        line("");
        row("Running", "families", "bytes", "/metrics p50", "p90", "p99", "max", "/health p50", "p99", "goal");
        row("---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---");
        for (String k : new String[] {"scrape.0", "scrape.1000"}) {
            if (has(k + ".")) {
                row(fmtInt(num(k + ".running")), fmtInt(num(k + ".families")), fmtInt(num(k + ".bytes")),
                        fmt3(num(k + ".metrics.p50_ms")), fmt3(num(k + ".metrics.p90_ms")),
                        fmt3(num(k + ".metrics.p99_ms")), fmt3(num(k + ".metrics.max_ms")),
                        fmt3(num(k + ".health.p50_ms")), fmt3(num(k + ".health.p99_ms")),
                        "≤ 50 ms: " + met(num(k + ".metrics.max_ms") <= 50));
            }
        }
        if (has("follow.")) {
            line("");
            line("**(b) with the dashboard following** — " + fmtInt(num("follow.lines")) + " lines of 100 B, "
                    + get("follow.runs") + " runs per variant after warm-up, interleaved; the dashboard open in one "
                    + "headless Chromium for the whole run, pointed at the execution and attached before its first "
                    + "line (`ccx_followers` = 2), or still showing the previous one. lines/s, median:");
            line("");
            row("Alone", "Dashboard following", "Slower by", "goal", "ccx CPU alone / following",
                    "Chromium CPU following", "runs alone", "runs with the dashboard");
            row("---:", "---:", "---:", "---", "---:", "---:", "---", "---");
            row(fmtInt(num("follow.alone_lines_per_s")), fmtInt(num("follow.dashboard_lines_per_s")),
                    fmt1(num("follow.slower_pct")) + "%", "≤ 5%: " + met(num("follow.slower_pct") <= 5),
                    fmt1(num("follow.server_cpu_alone_pct")) + "% / " + fmt1(num("follow.server_cpu_dashboard_pct"))
                            + "% of a core",
                    fmt1(num("follow.browser_cpu_pct")) + "% of a core",
                    get("follow.alone_all"), get("follow.dashboard_all"));
        }
        for (String k : m.keySet()) {
            if (k.endsWith(".error")) {
                line("");
                line("**" + k + "**: " + m.get(k));
            }
        }
        return out.toString();
    }

    private boolean has(String prefix) {
        return m.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }
}
