// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** Prints the results of {@code bench/reattach} as Markdown tables, each scenario next to its peer. */
final class ReattachReport extends MarkdownReport {

    private ReattachReport(Map<String, String> m) {
        super(m);
    }

    static String render(Path file) throws IOException {
        return new ReattachReport(Results.read(file)).render();
    }

    private String render() {
        line("Machine: " + get("meta.nproc") + " cores, " + get("meta.cpu") + ", " + get("meta.mem") + " RAM; "
                + get("meta.jdk") + "; ccx " + get("meta.ccx") + "; base " + get("meta.base")
                + "; ccx JVM options `" + get("meta.ccx_jvm_opts") + "`"
                + ("1".equals(m.get("meta.quick")) ? "; **--quick counts**" : "") + ".");
        line("");
        if (has("att.")) {
            attach();
        }
        if (has("rep.")) {
            replay();
        }
        if (has("pair.")) {
            pair();
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

    private void attach() {
        line("**1. Attach to the first replayed notification**, a fresh connection per sample, "
                + get("att.attach_mem.first.n") + " samples per variant after " + get("meta.att_warmup")
                + " warm-up, the three variants interleaved. p50 / p99 ms; \"request\" is `attach` (from_seq 0) or "
                + "`execute`, \"connect\" adds the TCP connect, the upgrade and `connected`:");
        line("");
        line("| Variant | request → response | request → first notification | request → first output line | "
                + "connect + request → first notification | connect + request → first output line | "
                + "÷ echo, request → first line (p50) |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        double echo = num("att.echo.first_line.p50_ms");
        for (String v : new String[] {"mem", "disk"}) {
            String k = "att.attach_" + v;
            row("attach to a kept running execution, " + fmtInt(num("att." + v + ".lines")) + " lines logged ("
                            + mb(num("att." + v + ".log_bytes")) + " MB of notifications, " + mb(num("att." + v
                            + ".disk_bytes")) + " MB in spill files)",
                    lat(k + ".response"), lat(k + ".first"), lat(k + ".first_line"), lat(k + ".connect_first"),
                    lat(k + ".connect_first_line"), ratio(num(k + ".first.p50_ms"), echo));
        }
        row("peer: `execute` `argv: [echo, hi]`", lat("att.echo.response"), lat("att.echo.first"),
                lat("att.echo.first_line"), lat("att.echo.connect_first"), lat("att.echo.connect_first_line"),
                "1.00×");
        line("");
        line(cpu("att", "The CPUs over the measured samples"));
        line("");
        line("The connect alone (TCP, upgrade, `connected`), p50 / p99 ms: " + lat("att.attach_mem.connect")
                + " (attach, memory), " + lat("att.attach_disk.connect") + " (attach, disk), "
                + lat("att.echo.connect") + " (echo).");
        line("");
    }

    private void replay() {
        line("**2. Replay rate**: `attach` from seq 0 on a fresh connection (connect not timed), every line checked "
                + "(index, order, seq without a gap); lines/s = lines ÷ time from sending the request to the last "
                + "line. The live peer runs the same `gen-lines` with `execute` on a fresh connection, as (b) does.");
        line("");
        line("| Case | lines | log: notifications / in spill files, MB | lines/s, median (p10–p90) | "
                + "to the last line, p50 ms | ÷ live |");
        line("|---|---:|---:|---:|---:|---:|");
        double live = num("rep.small.live.lines_per_s");
        smallRow("replay, running execution (log in memory)", "rep.small.replay_running", "rep.small.running", live);
        smallRow("replay, ended execution (an ended log keeps ≤ 8 KiB in memory)", "rep.small.replay_ended",
                "rep.small.ended", live);
        smallRow("peer: the same output live (`execute`, includes the spawn)", "rep.small.live", null, live);
        line("");
        line("| Case | lines | log: notifications / in spill files, MB | lines/s, median (all runs) | "
                + "lines/s, median of the " + get("rep.large.quiet_rounds") + " quiet rounds | "
                + "to the last line, median s | server CPU s per run, median | ÷ live (all; quiet) |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        double liveL = num("rep.large.live.lines_per_s");
        double liveQ = num("rep.large.live.lines_per_s_quiet");
        row("replay, ended execution (log on disk)", fmtInt(num("rep.large.replay_ended.lines")),
                mb(num("rep.large.ended.log_bytes")) + " / " + mb(num("rep.large.ended.disk_bytes")),
                fmtInt(num("rep.large.replay_ended.lines_per_s")) + " (" + all("rep.large.replay_ended") + ")",
                fmtInt(num("rep.large.replay_ended.lines_per_s_quiet")),
                fmt3(num("rep.large.replay_ended.seconds")), fmt2(num("rep.large.replay_ended.server_cpu_s")),
                ratio(num("rep.large.replay_ended.lines_per_s"), liveL) + "; "
                        + ratio(num("rep.large.replay_ended.lines_per_s_quiet"), liveQ));
        row("peer: the same output live (`execute`)", fmtInt(num("rep.large.live.lines")), "",
                fmtInt(liveL) + " (" + all("rep.large.live") + ")", fmtInt(liveQ),
                fmt3(num("rep.large.live.seconds")), fmt2(num("rep.large.live.server_cpu_s")), "1.00×");
        line("");
        line("Other work's share of the CPUs during each large run, %: replay " + get("rep.large.replay_ended"
                + ".others_pct_all") + "; live " + get("rep.large.live.others_pct_all") + ". A round is quiet when "
                + "both its runs had less than " + Math.round(LinesPair.QUIET_PCT) + "%.");
        line("");
        line(cpu("rep.small", "The CPUs over the measured small runs") + " " + cpu("rep.large", "Over the large "
                + "runs"));
        line("");
        line("Server peak RSS after scenario 2 (VmHWM): " + fmt1(num("rep.server_vmhwm_mb")) + " MB.");
        line("");
    }

    private void smallRow(String name, String k, String target, double live) {
        row(name, fmtInt(num(k + ".lines")),
                target == null ? "" : mb(num(target + ".log_bytes")) + " / " + mb(num(target + ".disk_bytes")),
                fmtInt(num(k + ".lines_per_s")) + " (" + fmtInt(num(k + ".lines_per_s_p10")) + "–"
                        + fmtInt(num(k + ".lines_per_s_p90")) + ")",
                fmt3(num(k + ".to_last_line.p50_ms")), ratio(num(k + ".lines_per_s"), live));
    }

    private void pair() {
        line("**3. (b) of bench/run, side by side**: " + fmtInt(num("pair.native.head.lines")) + " lines of 100 B on "
                + "one connection per server, every line checked; " + get("meta.pair_warmup") + " warm-up runs, then "
                + get("pair.native.head.runs") + " rounds in ABBA order against two servers running at once (base: "
                + get("meta.base") + "). Server CPU and bytes written to storage from `/proc/PID/stat` and "
                + "`/proc/PID/io`, per run.");
        line("");
        line("| Spawner | build | lines/s, median (all runs) | other work's share of the CPUs per run, % | "
                + "lines/s, median of the quiet rounds (n) | head ÷ base (all; quiet) | server CPU s per run | "
                + "server wrote to storage, MB per run | the disks wrote during its runs, MB in all | "
                + "page cache dirty after a run, max MB |");
        line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String e : new String[] {"native", "jdk"}) {
            double base = num("pair." + e + ".base.lines_per_s");
            double baseQ = num("pair." + e + ".base.lines_per_s_quiet");
            for (String b : new String[] {"base", "head"}) {
                String k = "pair." + e + "." + b;
                if (!m.containsKey(k + ".lines_per_s")) {
                    continue;
                }
                row(e, b, fmtInt(num(k + ".lines_per_s")) + " (" + all(k) + ")", get(k + ".others_pct_all"),
                        fmtInt(num(k + ".lines_per_s_quiet")) + " (" + get("pair." + e + ".quiet_rounds") + ")",
                        b.equals("head") ? ratio(num(k + ".lines_per_s"), base) + "; "
                                + ratio(num(k + ".lines_per_s_quiet"), baseQ) : "",
                        fmt2(num(k + ".server_cpu_s")), fmt1(num(k + ".server_written_mb")),
                        fmtInt(num(k + ".disk_written_mb")), fmtInt(num(k + ".dirty_max_mb")));
            }
        }
        line("");
        line("\"Server wrote to storage\" is `write_bytes` of `/proc/PID/io`: what the server handed to the page "
                + "cache for its log's spill files. \"The disks wrote\" is what reached the block devices during "
                + "that build's runs (`/sys/block/*/stat`, whoever caused it): a spill file deleted before the "
                + "kernel writes it back never reaches the disk. The kernel starts writing back when the dirty "
                + "page cache passes `vm.dirty_background_ratio` of the available memory (here: "
                + get("meta.vm_dirty") + ").");
        line("");
        line("A round is quiet when every run in it had less than " + Math.round(LinesPair.QUIET_PCT)
                + "% of the CPUs going to other work (neither the servers, their commands, nor the load generator).");
        for (String e : new String[] {"native", "jdk"}) {
            String c = cpu("pair." + e, e);
            if (!c.isEmpty()) {
                line("");
                line(c);
            }
        }
    }

    /** Where the CPUs went over a scenario. */
    private String cpu(String k, String what) {
        if (!m.containsKey(k + ".cpu_machine_pct")) {
            return "";
        }
        return what + ": " + pct(k + ".cpu_machine_pct") + " busy: the server" + (k.startsWith("pair") ? "s" : "")
                + " (with the commands run) " + pct(k + ".cpu_servers_pct") + ", the load generator "
                + pct(k + ".cpu_client_pct") + ", everything else on the machine " + pct(k + ".cpu_others_pct")
                + " (shares of both CPUs).";
    }

    private String pct(String k) {
        return Double.isNaN(num(k)) ? "–" : String.format(Locale.ROOT, "%.0f%%", num(k));
    }

    /** The runs' lines/s, rounded to thousands, in the order they ran. */
    private String all(String k) {
        String v = m.get(k + ".lines_per_s_all");
        if (v == null) {
            return "–";
        }
        return String.join(", ", Arrays.stream(v.split(",")).map(s -> String.format(Locale.ROOT, "%,dk",
                Math.round(Double.parseDouble(s) / 1000))).toList());
    }

    private String lat(String k) {
        if (!m.containsKey(k + ".p50_ms")) {
            return "–";
        }
        return fmt3(num(k + ".p50_ms")) + " / " + fmt3(num(k + ".p99_ms"));
    }

    /** Whether the run has results (or an error) of a scenario. */
    private boolean has(String prefix) {
        return m.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }
}
