// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.Command;
import dev.ccx.client.CommandResult;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scenario 2: one command's round trip. Cold: {@code ccx run -- true} in a new JVM each time, next to
 * {@code ccx --version} (the same JVM and jar, no connection) and, when the run script made one, the same run with
 * an AOT cache. Warm: {@code client.run(Command.argv("true"))} on one open connection in this JVM, next to
 * {@code sh -c true} and {@code true} started directly with {@link ProcessBuilder}.
 */
final class RoundTripBench {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final File DEV_NULL = new File("/dev/null");

    private final Setup setup;
    private final Path dir;

    RoundTripBench(Setup setup) throws IOException {
        this.setup = setup;
        this.dir = Files.createDirectories(setup.out().resolve("roundtrip"));
    }

    private record Variant(String name, String key, String shown, Supplier<Long> run) {
    }

    String run() {
        StringBuilder md = new StringBuilder("### 2. One command's round trip\n\n");
        md.append(cold()).append('\n').append(warm());
        return md.toString();
    }

    private String cold() {
        int n = setup.quick() ? 5 : 20;
        List<Variant> vs = new ArrayList<>();
        List<String> version = setup.cli(List.of(), "--version");
        vs.add(new Variant("`ccx --version`: JVM start, no connection", "cold.version", Setup.show(version),
                () -> cli(version, "ccx ")));
        List<String> run = setup.cli(List.of(), "run", "--url", setup.url().toString(), "--", "true");
        vs.add(new Variant("`ccx run -- true`", "cold.run", Setup.show(run), () -> cli(run, "")));
        if (setup.aotCache() != null) {
            List<String> aot = setup.cli(List.of("-XX:AOTCache=" + setup.aotCache()), "run", "--url",
                    setup.url().toString(), "--", "true");
            vs.add(new Variant("`ccx run -- true`, JVM with an AOT cache", "cold.run_aot", Setup.show(aot),
                    () -> cli(aot, "")));
        }
        return series("Cold: a new CLI JVM per command", vs, 2, n, "cold.version", "`ccx --version`");
    }

    private String warm() {
        int n = setup.quick() ? 50 : 200;
        try (CcxClient client = CcxClient.connect(setup.url(), ClientOptions.defaults())) {
            List<Variant> vs = new ArrayList<>();
            vs.add(new Variant("`client.run(Command.argv(\"true\"))`, one open connection", "warm.client",
                    "client.run(Command.argv(\"true\"), Duration.ofSeconds(60))", () -> client(client)));
            vs.add(new Variant("`sh -c true` by ProcessBuilder", "warm.pb_sh",
                    "new ProcessBuilder(\"sh\", \"-c\", \"true\").start(); read both pipes to EOF; waitFor()",
                    () -> direct(List.of("sh", "-c", "true"))));
            vs.add(new Variant("`true` by ProcessBuilder", "warm.pb_true",
                    "new ProcessBuilder(\"true\").start(); read both pipes to EOF; waitFor()",
                    () -> direct(List.of("true"))));
            return series("Warm: this JVM, connection already open", vs, 50, n, "warm.pb_sh", "`sh -c true`");
        }
    }

    /**
     * Runs each variant in turn, {@code warmup} runs then {@code n} timed ones, after waiting for idle CPUs; one table,
     * ratios against {@code base}. One variant at a time (not round-robin) so that the CPU the server spends after
     * answering (recording the run's timing) is not counted against the direct runs.
     */
    private String series(String title, List<Variant> vs, int warmup, int n, String base, String baseName) {
        Map<String, long[]> t = new LinkedHashMap<>();
        Map<String, Cpu> cpu = new LinkedHashMap<>();
        Map<String, Idle.Load> loads = new LinkedHashMap<>();
        for (Variant v : vs) {
            loads.put(v.key(), setup.idle().await("roundtrip " + v.key()));
            for (int i = 0; i < warmup; i++) {
                v.run().get();
            }
            long[] times = new long[n];
            Cpu c = setup.cpu();
            for (int i = 0; i < n; i++) {
                long[] c0 = c.now();
                times[i] = v.run().get();
                c.add(c0);
            }
            t.put(v.key(), times);
            cpu.put(v.key(), c);
        }
        double baseP50 = Stats.of(t.get(base)).p50();
        Table table = new Table("Variant", ">n", ">p50 ms", ">p95 ms", ">min ms", ">÷ " + baseName + " (p50)",
                ">CPU ms/run: machine", ">ccx server JVM", ">commands under ccx", ">client side", ">idle before");
        StringBuilder commands = new StringBuilder();
        for (Variant v : vs) {
            Stats s = Stats.of(t.get(v.key()));
            System.err.println("roundtrip " + v.key() + ": " + s);
            List<String> c = setup.cpuCells("roundtrip." + v.key(), cpu.get(v.key()), 1);
            table.row(v.name(), s.n(), Table.ms(s.p50()), Table.ms(s.p95()), Table.ms(s.min()),
                    String.format("%.2f×", s.p50() / baseP50), c.get(0), c.get(1), c.get(2), c.get(3),
                    Table.idle(loads.get(v.key())));
            setup.put("roundtrip." + v.key(), s);
            setup.put("roundtrip." + v.key(), loads.get(v.key()));
            setup.put("roundtrip." + v.key() + ".command", v.shown());
            commands.append("* ").append(v.name()).append(": `").append(v.shown()).append("`\n");
        }
        return "**" + title + "** (" + warmup + " warm-up runs, then " + n + " timed runs, per variant)\n\n"
                + table.markdown() + "\n" + commands;
    }

    private long cli(List<String> argv, String stdoutPrefix) {
        Proc.Outcome o = Proc.run(argv, dir, BOUND);
        BenchFailure.check(o.exit() == 0 && o.stdout().startsWith(stdoutPrefix)
                && (!stdoutPrefix.isEmpty() || o.stdout().isEmpty()), Setup.show(argv) + ": " + o.describe());
        return o.nanos();
    }

    private static long client(CcxClient client) {
        long t0 = System.nanoTime();
        CommandResult r = client.run(Command.argv("true"), BOUND);
        long t = System.nanoTime() - t0;
        BenchFailure.check(r.succeeded() && r.stdout().isEmpty() && r.stderr().isEmpty(), "true through ccx: " + r);
        return t;
    }

    /** As a Java program would run it without ccx: both pipes read to their end, then the exit code. */
    private static long direct(List<String> argv) {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            int exit = p.waitFor();
            long t = System.nanoTime() - t0;
            BenchFailure.check(exit == 0 && out.length == 0 && err.length == 0, argv + ": exit " + exit);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
