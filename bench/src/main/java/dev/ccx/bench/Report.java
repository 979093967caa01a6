// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Prints the results file as Markdown tables, with ratios and the goals of the issue. */
final class Report extends MarkdownReport {

    private Report(Map<String, String> m) {
        super(m);
    }

    static String render(Path file) throws IOException {
        return new Report(Results.read(file)).render();
    }

    private static final String[] ENGINES = {"native", "jdk"};

    private String render() {
        line("Machine: " + get("meta.nproc") + " cores, " + get("meta.cpu") + ", " + get("meta.mem") + " RAM; "
                + get("meta.jdk") + "; websocketd " + get("meta.websocketd") + "; ccx " + get("meta.ccx")
                + "; ccx JVM options `" + get("meta.ccx_jvm_opts") + "`"
                + ("1".equals(m.get("meta.jfr")) ? "; **profiled with JFR**" : "")
                + ("1".equals(m.get("meta.quick")) ? "; **--quick counts**" : "") + ".");
        line("");
        line("| Scenario | Metric | ccx native | ccx jdk | websocketd | native ÷ websocketd | Goal | Met |");
        line("|---|---|---:|---:|---:|---:|---|---|");
        double wsdEcho = num("echo.wsd.new.p50_ms");
        latencyRow("(a) echo, 1 connection, `argv` (no shell)", "one.argv", wsdEcho, true);
        latencyRow("(a) echo, 1 connection, `command` (bash -c)", "one.shell", wsdEcho, false);
        latencyRow("(a) echo, new connection each, `argv`", "new.argv", wsdEcho, false);
        linesRows();
        concurrentRows();
        line("");
        line("(a): " + get("meta.echo_warmup") + " warm-up executions on the connection before the measured "
                + get("meta.echo_count") + "; websocketd's column is its own (a), a new connection per `echo` (it "
                + "cannot run two commands on one). (c) \"fresh\": a server started for the scenario; \"warm\": the "
                + "same server, measured on its second round.");
        line("");
        line("Ceilings for (b), same generator (`bench/gen-lines`), every line checked where a reader is involved:");
        line("");
        line("| Path | lines/s | ccx native (b) ÷ this |");
        line("|---|---:|---:|");
        double ccxLps = num("lines.native.lines_per_s");
        ceiling("`gen-lines > /dev/null`", "pipe.devnull.lines_per_s", ccxLps);
        ceiling("`gen-lines | wc -l`", "pipe.wc.lines_per_s", ccxLps);
        ceiling("JVM reads the pipe (64 KiB reads), checks every line", "pipe.jvm.lines_per_s", ccxLps);
        ceiling("bench client (raw WebSocket) ← fake ccx replaying the same JSON", "client.raw.lines_per_s", ccxLps);
        ceiling("JDK `java.net.http.WebSocket` client ← the same fake ccx", "client.jdk.lines_per_s", ccxLps);
        line("");
        line("Floors for (a) and (c): what this machine charges to create processes, whoever asks:");
        line("");
        line("| Floor | value | ccx native ÷ floor | websocketd ÷ floor |");
        line("|---|---:|---:|---:|");
        double ccxEcho = num("echo.native.one.argv.p50_ms");
        floor("JVM `ProcessBuilder` runs `setsid echo hi` (the jdk spawner's path), one after the other, p50 ms",
                "floor.spawn.jvm.setsid_echo.p50_ms", ccxEcho, Double.NaN);
        floor("JVM `ProcessBuilder` runs `echo hi`, p50 ms", "floor.spawn.jvm.echo.p50_ms", ccxEcho, wsdEcho);
        floor("bash loop runs `/bin/echo hi`, mean ms", "floor.spawn.bash.echo.mean_ms", ccxEcho, wsdEcho);
        floor("bash starts " + fmtInt(num("floor.burst.bash.n")) + " × `bash -c 'sleep 1; echo done' &`, wall s",
                "floor.burst.bash.wall_s", num("conc.native.cold.wall_s"), num("conc.wsd.wall_s"));
        row("fault in and zero fresh memory, µs per 4 KiB page", fmt3(num("floor.page_fault_us")), "", "");
        for (String e : ENGINES) {
            for (String k : new String[] {"conc." + e + ".fresh", "conc." + e + ".warm", "conc." + e + ".cold"}) {
                if (m.containsKey(k + ".execute_result.p50_ms")) {
                    line("");
                    line("(c) " + k + ": execute results arrived from " + fmt3(num(k + ".execute_result.min_ms") / 1e3)
                            + " s to " + fmt3(num(k + ".execute_result.max_ms") / 1e3) + " s; each output line came "
                            + fmt3(num(k + ".output_after_result.p50_ms") / 1e3) + " s (p50) after its execute "
                            + "result; process.completed came " + fmt3(num(k + ".completed_after_output.p50_ms") / 1e3)
                            + " s (p50, max " + fmt3(num(k + ".completed_after_output.max_ms") / 1e3)
                            + " s) after the output line.");
                }
                if (m.containsKey(k + ".first_error")) {
                    line("");
                    line("**" + k + " errors**: " + get(k + ".failed") + " failed; first: " + get(k + ".first_error"));
                }
            }
        }
        StringBuilder busy = new StringBuilder();
        for (String k : m.keySet()) {
            if (k.startsWith("idle.") && num(k) < 90) {
                busy.append(busy.isEmpty() ? "" : ", ").append(k.substring(5)).append(" ").append(get(k)).append("%");
            }
        }
        if (!busy.isEmpty()) {
            line("");
            line("**Warning**: the machine was not idle before some scenarios (CPU idle share in the second before: "
                    + busy + "); those numbers include the interference.");
        }
        for (String k : m.keySet()) {
            if (k.endsWith(".error")) {
                line("");
                line("**" + k + "**: " + m.get(k));
            }
        }
        return out.toString();
    }

    private void latencyRow(String name, String kind, double wsdP50, boolean withGoal) {
        String nat = "echo.native." + kind;
        String jdk = "echo.jdk." + kind;
        double p50 = num(nat + ".p50_ms");
        row(name, "p50 / p99 ms (n=" + get(nat + ".n") + ")", latency(nat), latency(jdk),
                kind.equals("one.argv") ? latency("echo.wsd.new") : "", ratio(p50, wsdP50) + " (p50)",
                withGoal ? "p50 below websocketd's" : "", withGoal ? met(m.containsKey(nat + ".p50_ms") && p50 < wsdP50)
                        : "");
    }

    private void linesRows() {
        double nat = num("lines.native.lines_per_s");
        double wsd = num("lines.wsd.lines_per_s");
        boolean verified = !failed("lines.native") && "yes".equals(m.get("lines.native.verified"));
        row("(b) " + fmtInt(num("meta.lines")) + " lines × 100 B", "lines/s (median of " + get("lines.native.runs")
                + ")", lps("lines.native"), lps("lines.jdk"), lps("lines.wsd"), ratio(nat, wsd),
                "≥ 1,000,000, ≥ 3.5× websocketd" + (verified ? "; every line verified" : ""),
                met(verified && nat >= 1_000_000 && nat >= 3.5 * wsd));
        row("(b)", "server peak RSS MB after (a) and (b) (VmHWM)", fmt1(num("lines.native.server_vmhwm_mb")),
                fmt1(num("lines.jdk.server_vmhwm_mb")), "", "", "", "");
    }

    private void concurrentRows() {
        String wsd = "conc.wsd";
        String n = fmtInt(num("conc.native.cold.conns"));
        double wsdWall = num(wsd + ".wall_s");
        row("(c) " + n + " × `sleep 1; echo done`, connections opened at once, each executes when greeted",
                "wall s, first connect to last completion (ok/failed)", wall("conc.native.cold"), wall("conc.jdk.cold"),
                wall(wsd), ratio(num("conc.native.cold.wall_s"), wsdWall), "≤ websocketd",
                met(allOk("conc.native.cold") && num("conc.native.cold.wall_s") <= wsdWall));
        row("(c) the same, all connected first, executes released at once, fresh server",
                "wall s to the last completion", wall("conc.native.fresh"), wall("conc.jdk.fresh"), "",
                ratio(num("conc.native.fresh.wall_s"), wsdWall), "", "");
        row("(c) the same, warm server (its second round)", "wall s to the last completion",
                wall("conc.native.warm"), wall("conc.jdk.warm"), "", ratio(num("conc.native.warm.wall_s"), wsdWall),
                "≤ websocketd", met(allOk("conc.native.warm") && num("conc.native.warm.wall_s") <= wsdWall));
        double peak = peak("native", "vmhwm_mb");
        row("(c)", "server peak RSS MB (VmHWM)", fmt1(peak), fmt1(peak("jdk", "vmhwm_mb")),
                fmt1(num(wsd + ".vmhwm_mb")), ratio(peak, num(wsd + ".vmhwm_mb")), "≤ 150 MB", met(peak <= 150));
        double threads = peak("native", "threads_peak");
        row("(c)", "server threads, peak", fmtInt(threads), fmtInt(peak("jdk", "threads_peak")),
                fmtInt(num(wsd + ".threads_peak")), "", "≤ 40", met(threads <= 40));
    }

    /** The largest {@code metric} over the (c) runs of {@code engine}. */
    private double peak(String engine, String metric) {
        double max = Double.NaN;
        for (String v : new String[] {"fresh", "warm", "cold"}) {
            double x = num("conc." + engine + "." + v + "." + metric);
            if (!Double.isNaN(x) && (Double.isNaN(max) || x > max)) {
                max = x;
            }
        }
        return max;
    }

    private boolean allOk(String k) {
        return m.containsKey(k + ".ok") && num(k + ".failed") == 0;
    }

    private String wall(String k) {
        if (!m.containsKey(k + ".wall_s")) {
            return "–";
        }
        return fmt3(num(k + ".wall_s")) + " (" + get(k + ".ok") + "/" + get(k + ".failed") + ")";
    }

    private String latency(String k) {
        if (!m.containsKey(k + ".p50_ms")) {
            return failed(k) ? "FAILED" : "–";
        }
        return fmt3(num(k + ".p50_ms")) + " / " + fmt3(num(k + ".p99_ms"));
    }

    private String lps(String k) {
        if (!m.containsKey(k + ".lines_per_s")) {
            return failed(k) ? "FAILED" : "–";
        }
        return fmtInt(num(k + ".lines_per_s"));
    }

    private void floor(String name, String key, double ccx, double wsd) {
        row(name, m.containsKey(key) ? fmt3(num(key)) : "–", ratio(ccx, num(key)), ratio(wsd, num(key)));
    }

    private void ceiling(String name, String key, double ccx) {
        row(name, m.containsKey(key) ? fmtInt(num(key)) : "–", ratio(ccx, num(key)));
    }

    private boolean failed(String prefix) {
        return m.containsKey(prefix + ".error");
    }
}
