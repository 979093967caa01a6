// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every scenario needs: the server, the CLI, the results folder, the counts.
 *
 * @param java     the JDK 25 {@code java} that runs the CLI (the same as this harness's)
 * @param ccxJar   the CLI jar under test (a private copy in the results folder)
 * @param url      the ccx server the run script started
 * @param out      the results folder
 * @param quick    smaller counts, to check the harness
 * @param aotCache an AOT cache for the CLI (JEP 514) made by a training run, or {@code null}
 * @param serverPid the ccx server's process id, for its CPU time ({@code 0}: unknown)
 * @param idle     the idle-CPU wait shared by all scenarios
 * @param values   every number measured, written to results.properties
 */
record Setup(Path java, Path ccxJar, URI url, Path out, boolean quick, Path aotCache, long serverPid, Idle idle,
             Map<String, String> values) {

    Setup {
        values = new TreeMap<>(values);
    }

    /** {@code java --enable-native-access=ALL-UNNAMED [extra] -jar ccx.jar args...}, as ./ccx starts the CLI. */
    List<String> cli(List<String> jvmExtra, String... args) {
        List<String> argv = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED"));
        argv.addAll(jvmExtra);
        argv.add("-jar");
        argv.add(ccxJar.toString());
        argv.addAll(List.of(args));
        return argv;
    }

    /** The command as the report shows it: paths shortened to their file names. */
    static String show(List<String> argv) {
        List<String> shown = new ArrayList<>();
        for (String a : argv) {
            String s = a;
            int eq = a.indexOf("=/");
            if (a.startsWith("/") && !a.contains(" ")) {
                s = a.endsWith("/bin/java") ? "java" : Path.of(a).getFileName().toString();
            } else if (eq > 0 && !a.contains(" ")) {
                s = a.substring(0, eq + 1) + Path.of(a.substring(eq + 1)).getFileName();
            }
            if (s.contains(" ") || s.contains("$") || s.isEmpty()) {
                s = "'" + s + "'";
            }
            shown.add(s);
        }
        return String.join(" ", shown);
    }

    /** A new CPU-time account. */
    Cpu cpu() {
        return new Cpu(serverPid);
    }

    /** CPU per run of {@code c} in the report's four columns, and in the results under {@code key}. */
    List<String> cpuCells(String key, Cpu c, double per) {
        put(key + ".cpu_machine_ms", c.machineMsPerRun() / per);
        put(key + ".cpu_server_ms", c.serverMsPerRun() / per);
        put(key + ".cpu_commands_ms", c.commandsMsPerRun() / per);
        put(key + ".cpu_client_ms", c.clientMsPerRun() / per);
        return List.of(Table.ms(c.machineMsPerRun() / per), Table.ms(c.serverMsPerRun() / per),
                Table.ms(c.commandsMsPerRun() / per), Table.ms(c.clientMsPerRun() / per));
    }

    void put(String key, Object value) {
        values.put(key, String.valueOf(value));
    }

    void put(String key, Stats s) {
        put(key + ".n", s.n());
        put(key + ".p50_ms", s.p50());
        put(key + ".p95_ms", s.p95());
        put(key + ".min_ms", s.min());
        put(key + ".max_ms", s.max());
    }

    void put(String key, Idle.Load l) {
        put(key + ".idle_pct", l.idlePct());
        put(key + ".loadavg", l.loadAvg());
    }
}
