// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import dev.ccx.client.Batch;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.Command;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Scenario 1: N small commands {@code sh -c 'echo $0' i}, 8 at a time, by the ccx CLI (a cold JVM per batch), by the
 * Java {@link Batch} API in this warm JVM, and by {@code xargs -P 8} and GNU {@code parallel -j 8}. One warm-up run
 * each, then rounds in which every variant runs once, so that all of them see the same machine. Every task's output
 * is checked: xargs and parallel print the N numbers (in any order), the API returns each task's stdout, the CLI's
 * summary lists every task as ok under its own name, and its warm-up run writes a report whose stdout per task is
 * checked.
 */
final class BatchBench {
    private static final Duration BOUND = Duration.ofMinutes(2);
    private static final String SCRIPT = "echo $0";

    private final Setup setup;
    private final int n;
    private final int rounds;
    private final Path dir;
    private final Path tasksFile;
    private final Path numbers;

    BatchBench(Setup setup) throws IOException {
        this.setup = setup;
        this.n = setup.quick() ? 60 : 300;
        this.rounds = setup.quick() ? 1 : 3;
        this.dir = Files.createDirectories(setup.out().resolve("batch"));
        this.tasksFile = dir.resolve("tasks.json");
        this.numbers = dir.resolve("numbers.txt");
        ArrayNode tasks = Wire.mapper().createArrayNode();
        StringBuilder nums = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            tasks.addObject().putArray("argv").add("sh").add("-c").add(SCRIPT).add(String.valueOf(i));
            nums.append(i).append('\n');
        }
        Files.writeString(tasksFile, Wire.mapper().writeValueAsString(tasks));
        Files.writeString(numbers, nums);
    }

    /** One way to run the batch: a name, the command shown in the report, and a timed, checked run. */
    private record Variant(String name, String key, String shown, Supplier<Long> run) {
    }

    String run() throws IOException {
        List<Variant> variants = new ArrayList<>();
        List<String> cli = setup.cli(List.of(), "batch", tasksFile.toString(), "--url", setup.url().toString(),
                "--max-concurrent", "8", "--no-report", "--progress", "none");
        variants.add(new Variant("ccx CLI (`ccx batch`, cold JVM)", "cli", Setup.show(cli), () -> cli(cli)));
        variants.add(new Variant("ccx Java API (`Batch.run`, warm JVM)", "api",
                "Batch.of(8, null).run(url, ClientOptions.defaults(), tasks)", this::api));
        List<String> xargs = List.of("sh", "-c", "xargs -P 8 -n 1 sh -c '" + SCRIPT + "' < " + numbers);
        variants.add(new Variant("xargs -P 8", "xargs", "xargs -P 8 -n 1 sh -c '" + SCRIPT + "' < numbers.txt",
                () -> lines(xargs)));
        if (onPath("parallel")) {
            List<String> par = List.of("parallel", "--will-cite", "-j", "8", "-q", "sh", "-c", SCRIPT, "{}", "::::",
                    numbers.toString());
            variants.add(new Variant("GNU parallel -j 8", "parallel",
                    "parallel --will-cite -j 8 -q sh -c '" + SCRIPT + "' {} :::: numbers.txt", () -> lines(par)));
        }

        // Warm-up: page cache, the server's JIT, the API's classes. The CLI's warm-up writes a report to check.
        setup.idle().await("batch warm-up");
        checkReport(cli);
        for (Variant v : variants) {
            v.run().get();
        }

        Map<String, long[]> times = new LinkedHashMap<>();
        Map<String, Cpu> cpu = new LinkedHashMap<>();
        Map<String, Idle.Load> worst = new LinkedHashMap<>();
        for (Variant v : variants) {
            times.put(v.key(), new long[rounds]);
            cpu.put(v.key(), setup.cpu());
        }
        for (int r = 0; r < rounds; r++) {
            for (Variant v : variants) {
                Idle.Load load = setup.idle().await("batch " + v.key() + " round " + (r + 1));
                worst.merge(v.key(), load, (a, b) -> a.idlePct() <= b.idlePct() ? a : b);
                long[] c0 = cpu.get(v.key()).now();
                long t = v.run().get();
                cpu.get(v.key()).add(c0);
                times.get(v.key())[r] = t;
                System.err.printf("batch %s round %d: %.3f s%n", v.key(), r + 1, t / 1e9);
            }
        }
        return report(variants, times, cpu, worst);
    }

    private String report(List<Variant> variants, Map<String, long[]> times, Map<String, Cpu> cpu,
                          Map<String, Idle.Load> worst) {
        double xargs = median(times.get("xargs"));
        Table t = new Table("Variant", ">runs", ">wall, median (min–max) ms", ">tasks/s", ">÷ xargs",
                ">CPU ms/task: machine", ">ccx server JVM", ">commands under ccx", ">client side", ">idle before");
        StringBuilder commands = new StringBuilder();
        for (Variant v : variants) {
            long[] ts = times.get(v.key());
            double med = median(ts);
            long min = Arrays.stream(ts).min().orElseThrow();
            long max = Arrays.stream(ts).max().orElseThrow();
            String key = "batch." + v.key();
            List<String> c = setup.cpuCells(key, cpu.get(v.key()), n);
            t.row(v.name(), ts.length, Table.ms(med / 1e6) + " (" + Table.ms(min / 1e6) + "–" + Table.ms(max / 1e6)
                    + ")", String.format("%,.0f", n / (med / 1e9)), String.format("%.1f×", med / xargs),
                    c.get(0), c.get(1), c.get(2), c.get(3), Table.idle(worst.get(v.key())));
            setup.put(key + ".median_ms", med / 1e6);
            setup.put(key + ".min_ms", min / 1e6);
            setup.put(key + ".max_ms", max / 1e6);
            setup.put(key + ".tasks_per_s", n / (med / 1e9));
            setup.put(key + ".command", v.shown());
            setup.put(key, worst.get(v.key()));
            commands.append("* ").append(v.name()).append(": `").append(v.shown()).append("`\n");
        }
        setup.put("batch.n", n);
        return "### 1. Batch of " + n + " small commands, 8 at a time\n\n"
                + "Each task is `sh -c 'echo $0' i` for i = 1.." + n + " (argv, no extra shell); " + rounds
                + " timed runs per variant after one warm-up, interleaved; every task's output checked.\n\n"
                + t.markdown() + "\nCommands (`tasks.json` is a JSON array of `{\"argv\": [\"sh\", \"-c\", "
                + "\"echo $0\", \"i\"]}`):\n\n" + commands;
    }

    /** The CLI's timed run: exit 0, and a summary that lists every task as ok, under its own name, in order. */
    private long cli(List<String> argv) {
        Proc.Outcome o = Proc.run(argv, dir, BOUND);
        BenchFailure.check(o.exit() == 0, "ccx batch failed: " + o.describe());
        List<String> lines = o.stdout().lines().toList();
        BenchFailure.check(lines.getFirst().matches("ccx batch .*: " + n + " tasks in .* — " + n + " ok"),
                "unexpected summary: " + lines.getFirst());
        Pattern task = Pattern.compile("\\s*(\\d+)\\s+ok\\s+\\S+\\s+sh -c echo \\$0 (\\d+)");
        int ok = 0;
        for (String line : lines.subList(1, lines.size())) {
            Matcher m = task.matcher(line);
            if (m.matches() && m.group(1).equals(m.group(2)) && Integer.parseInt(m.group(1)) == ok + 1) {
                ok++;
            }
        }
        BenchFailure.check(ok == n, "only " + ok + " of " + n + " tasks listed as ok: " + o.describe());
        return o.nanos();
    }

    /** The CLI's warm-up run with {@code --report} instead of {@code --no-report}: every task's stdout checked. */
    private void checkReport(List<String> argv) throws IOException {
        Path report = dir.resolve("report.json");
        List<String> withReport = new ArrayList<>(argv);
        withReport.set(withReport.indexOf("--no-report"), "--report=" + report);
        Proc.Outcome o = Proc.run(withReport, dir, BOUND);
        BenchFailure.check(o.exit() == 0, "ccx batch --report failed: " + o.describe());
        JsonNode tasks = Wire.mapper().readTree(Files.readString(report)).path("tasks");
        BenchFailure.check(tasks.size() == n, "the report has " + tasks.size() + " tasks, not " + n);
        for (int i = 0; i < n; i++) {
            JsonNode t = tasks.get(i);
            BenchFailure.check(t.path("status").asString().equals("success")
                            && t.path("stdout").asString().equals((i + 1) + "\n"),
                    "task " + (i + 1) + " in the report: " + t);
        }
    }

    /** The Java API's run: every result a success whose stdout is its own number. */
    private long api() {
        List<Command> tasks = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            tasks.add(Command.argv("sh", "-c", SCRIPT, String.valueOf(i)));
        }
        long t0 = System.nanoTime();
        List<TaskResult> results = Batch.of(8, null).run(setup.url(), ClientOptions.defaults(), tasks);
        long t = System.nanoTime() - t0;
        for (TaskResult r : results) {
            BenchFailure.check(r.status() == TaskStatus.SUCCESS
                            && r.result().stdout().equals((r.index() + 1) + "\n"),
                    "task " + (r.index() + 1) + ": " + r.status() + " " + r.message());
        }
        return t;
    }

    /** xargs or parallel: exit 0 and stdout holding each number 1..n exactly once. */
    private long lines(List<String> argv) {
        Proc.Outcome o = Proc.run(argv, dir, BOUND);
        BenchFailure.check(o.exit() == 0, argv.getFirst() + " failed: " + o.describe());
        int[] seen = new int[n + 1];
        o.stdout().lines().forEach(l -> seen[Integer.parseInt(l)]++);
        for (int i = 1; i <= n; i++) {
            BenchFailure.check(seen[i] == 1, argv + ": " + i + " printed " + seen[i] + " times");
        }
        return o.nanos();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
