// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Prints the results file as Markdown tables, with ratios and the goals of the issue. */
final class Report {
    private final Map<String, String> m;
    private final StringBuilder out = new StringBuilder();

    private Report(Map<String, String> m) {
        this.m = m;
    }

    static String render(Path file) throws IOException {
        return new Report(Results.read(file)).render();
    }

    private String render() {
        line("Machine: " + get("meta.nproc") + " cores, " + get("meta.cpu") + ", " + get("meta.mem") + " RAM; "
                + get("meta.jdk") + "; websocketd " + get("meta.websocketd") + "; ccx " + get("meta.ccx")
                + (m.getOrDefault("meta.ccx_jvm_opts", "").isBlank() ? "" : "; ccx JVM options "
                        + get("meta.ccx_jvm_opts"))
                + ("1".equals(m.get("meta.jfr")) ? "; **profiled with JFR**" : "")
                + ("1".equals(m.get("meta.quick")) ? "; **--quick counts**" : "") + ".");
        line("");
        line("| Scenario | Metric | ccx | websocketd | ccx ÷ websocketd | Goal | Met |");
        line("|---|---|---:|---:|---:|---|---|");
        latencyRow("(a) echo, 1 connection, `argv` (no shell)", "echo.ccx.one.argv", null, 2.0);
        latencyRow("(a) echo, 1 connection, `command` (bash -c)", "echo.ccx.one.shell", null, 2.0);
        latencyRow("(a) echo, new connection each, `argv`", "echo.ccx.new.argv", "echo.wsd.new", Double.NaN);
        String ccxLines = "lines.ccx";
        String wsdLines = "lines.wsd";
        double ccxLps = num(ccxLines + ".lines_per_s");
        double wsdLps = num(wsdLines + ".lines_per_s");
        String verified = failed(ccxLines) ? "" : "; every line verified";
        row("(b) " + fmtInt(num("meta.lines")) + " lines × 100 B", "lines/s (median of " + get(ccxLines + ".runs")
                        + ")", lps(ccxLines), lps(wsdLines), ratio(ccxLps, wsdLps), "≥ 500,000" + verified,
                met(!failed(ccxLines) && ccxLps >= 500_000));
        row("(b)", "MB/s of line data (JSON on the wire)",
                fmt1(num(ccxLines + ".payload_mb_per_s")) + " (" + fmt1(num(ccxLines + ".wire_mb_per_s")) + ")",
                fmt1(num(wsdLines + ".payload_mb_per_s")), ratio(num(ccxLines + ".payload_mb_per_s"),
                        num(wsdLines + ".payload_mb_per_s")), "", "");
        concurrentRows();
        line("");
        line("Ceilings for (b), same generator (`bench/gen-lines`), every line checked where a reader is involved:");
        line("");
        line("| Path | lines/s | ccx (b) ÷ this |");
        line("|---|---:|---:|");
        ceiling("`gen-lines > /dev/null`", "pipe.devnull.lines_per_s", ccxLps);
        ceiling("`gen-lines | wc -l`", "pipe.wc.lines_per_s", ccxLps);
        ceiling("JVM reads the pipe (64 KiB reads), checks every line", "pipe.jvm.lines_per_s", ccxLps);
        ceiling("bench client (raw WebSocket) ← fake ccx replaying the same JSON", "client.raw.lines_per_s", ccxLps);
        ceiling("JDK `java.net.http.WebSocket` client ← the same fake ccx", "client.jdk.lines_per_s", ccxLps);
        line("");
        line("Floors for (a) and (c): what this machine charges to create processes, whoever asks:");
        line("");
        line("| Floor | value | ccx ÷ floor | websocketd ÷ floor |");
        line("|---|---:|---:|---:|");
        double ccxEcho = num("echo.ccx.one.argv.p50_ms");
        double wsdEcho = num("echo.wsd.new.p50_ms");
        floor("JVM `ProcessBuilder` runs `setsid echo hi` (ccx's spawn path), one after the other, p50 ms",
                "floor.spawn.jvm.setsid_echo.p50_ms", ccxEcho, Double.NaN);
        floor("JVM `ProcessBuilder` runs `echo hi`, p50 ms", "floor.spawn.jvm.echo.p50_ms", ccxEcho, wsdEcho);
        floor("bash loop runs `setsid /bin/echo hi`, mean ms", "floor.spawn.bash.setsid_echo.mean_ms", ccxEcho,
                Double.NaN);
        floor("bash loop runs `/bin/echo hi`, mean ms", "floor.spawn.bash.echo.mean_ms", ccxEcho, wsdEcho);
        floor("bash starts " + fmtInt(num("floor.burst.bash.n")) + " × `bash -c 'sleep 1; echo done' &`, wall s",
                "floor.burst.bash.wall_s", num("conc.ccx.pre.wall_s"), num("conc.wsd.wall_s"));
        floor("bash starts " + fmtInt(num("floor.burst.setsid_bash.n")) + " × `setsid bash -c '...' &`, wall s",
                "floor.burst.setsid_bash.wall_s", num("conc.ccx.pre.wall_s"), num("conc.wsd.wall_s"));
        row("fault in and zero fresh memory, µs per 4 KiB page", fmt3(num("floor.page_fault_us")), "", "");
        line("");
        line("(a) rows are compared by p50 on one connection (ccx) and per connection (websocketd); (c) rows by "
                + "wall time (ccx: the pre-connected run).");
        line("");
        line("Details: (a) ccx new connection: connect + `connected` p50 " + fmt3(num("echo.ccx.new.argv.connect.p50_ms"))
                + " ms; websocketd first line p50 " + fmt3(num("echo.wsd.new.first_line.p50_ms")) + " ms. "
                + "(a) 1 connection p90/max: argv " + fmt3(num("echo.ccx.one.argv.p90_ms")) + "/"
                + fmt3(num("echo.ccx.one.argv.max_ms")) + " ms, shell " + fmt3(num("echo.ccx.one.shell.p90_ms")) + "/"
                + fmt3(num("echo.ccx.one.shell.max_ms")) + " ms. (b) runs, lines/s: ccx "
                + get(ccxLines + ".lines_per_s_all") + "; websocketd " + get(wsdLines + ".lines_per_s_all")
                + "; load generator thread CPU during (b): " + pct(num(ccxLines + ".client_cpu")) + " (ccx), "
                + pct(num(wsdLines + ".client_cpu")) + " (websocketd); ccx VmHWM after (a)+(b) "
                + fmt1(num(ccxLines + ".server_vmhwm_mb")) + " MB.");
        for (String k : new String[] {"conc.ccx.pre", "conc.ccx.cold"}) {
            if (m.containsKey(k + ".execute_result.p50_ms")) {
                line("");
                line("(c) " + k + ": execute results (the server replies right after spawning) arrived from "
                        + fmt3(num(k + ".execute_result.min_ms") / 1e3) + " s to "
                        + fmt3(num(k + ".execute_result.max_ms") / 1e3) + " s; each output line came "
                        + fmt3(num(k + ".output_after_result.p50_ms") / 1e3) + " s (p50) after its execute result; "
                        + "process.completed came " + fmt3(num(k + ".completed_after_output.p50_ms") / 1e3)
                        + " s (p50, max " + fmt3(num(k + ".completed_after_output.max_ms") / 1e3)
                        + " s) after the output line; the first completion arrived at "
                        + fmt3(num(k + ".latency.min_ms") / 1e3) + " s.");
            }
        }
        for (String k : new String[] {"conc.ccx.pre", "conc.ccx.cold", "conc.wsd"}) {
            if (m.containsKey(k + ".first_error")) {
                line("");
                line("**" + k + " errors**: " + get(k + ".failed") + " failed; first: " + get(k + ".first_error"));
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

    private void concurrentRows() {
        String pre = "conc.ccx.pre";
        String cold = "conc.ccx.cold";
        String wsd = "conc.wsd";
        String n = fmtInt(num(pre + ".conns"));
        row("(c) " + n + " × `sleep 1; echo done`, all connected first, executes released at once",
                "wall s to the last `process.completed` (ok/failed)", wall(pre), "", "", "< 5 s",
                met(allOk(pre) && num(pre + ".wall_s") < 5));
        row("(c) " + n + " connections opened at once, each executes when greeted", "wall s from the first connect "
                + "to the last completion (ok/failed)", wall(cold), wall(wsd), ratio(num(cold + ".wall_s"),
                num(wsd + ".wall_s")), "< 5 s", met(allOk(cold) && num(cold + ".wall_s") < 5));
        double peakCcx = Math.max(num(pre + ".vmhwm_mb"), num(cold + ".vmhwm_mb"));
        row("(c)", "server peak RSS MB (VmHWM; idle before: " + fmt1(num(pre + ".rss_start_mb")) + ")",
                fmt1(peakCcx), fmt1(num(wsd + ".vmhwm_mb")), ratio(peakCcx, num(wsd + ".vmhwm_mb")), "< 300 MB",
                met(peakCcx < 300));
        row("(c)", "server threads, peak", fmtInt(Math.max(num(pre + ".threads_peak"), num(cold + ".threads_peak"))),
                fmtInt(num(wsd + ".threads_peak")), "", "", "");
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

    private void latencyRow(String name, String ccx, String wsd, double goalMs) {
        String c = latency(ccx);
        String w = wsd == null ? "" : latency(wsd);
        String ratio = wsd == null ? "" : ratio(num(ccx + ".p50_ms"), num(wsd + ".p50_ms")) + " (p50)";
        String goal = Double.isNaN(goalMs) ? "" : "p50 < " + fmt1(goalMs).replace(".0", "") + " ms";
        String met = Double.isNaN(goalMs) ? "" : met(m.containsKey(ccx + ".p50_ms") && num(ccx + ".p50_ms") < goalMs);
        row(name, "p50 / p99 ms (n=" + get(ccx + ".n") + ")", c, w, ratio, goal, met);
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

    private void row(String... cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    private void line(String s) {
        out.append(s).append('\n');
    }

    private String get(String k) {
        return m.getOrDefault(k, "?");
    }

    private double num(String k) {
        try {
            return Double.parseDouble(m.get(k));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String met(boolean yes) {
        return yes ? "yes" : "**no**";
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    private static String fmt1(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt3(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String fmtInt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,d", Math.round(v));
    }
}
