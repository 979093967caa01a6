// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The client-side benchmark that bench/client/run starts: ccx's CLI and Java client next to a peer doing the same
 * work, in the same run. Writes {@code report.md} and {@code results.properties} to {@code --out} and prints the
 * report.
 *
 * <pre>
 * Main --java PATH --ccx-jar PATH --url ws://... --out DIR [--server-pid PID] [--aot-cache FILE] [--commit C]
 *      [--command TEXT] [--quick]
 *      [batch] [roundtrip] [claude] [claude-session]   (default: all four)
 *
 * claude-session is claude-turn2 and claude-permission, which may also be named alone.
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new TreeMap<>();
        List<String> scenarios = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> opt.put("quick", "true");
                case "--java", "--ccx-jar", "--url", "--out", "--aot-cache", "--commit", "--command", "--server-pid" ->
                        opt.put(args[i].substring(2), args[++i]);
                default -> scenarios.add(args[i]);
            }
        }
        if (scenarios.isEmpty()) {
            scenarios = List.of("batch", "roundtrip", "claude", "claude-session");
        }
        // claude-session is two scenarios, so that one failing does not take the other's numbers with it.
        scenarios = scenarios.stream().flatMap(s -> s.equals("claude-session")
                ? Stream.of("claude-turn2", "claude-permission") : Stream.of(s))
                .toList();
        Path out = Path.of(opt.get("out"));
        Setup setup = new Setup(Path.of(opt.get("java")), Path.of(opt.get("ccx-jar")), URI.create(opt.get("url")),
                out, opt.containsKey("quick"), opt.containsKey("aot-cache") ? Path.of(opt.get("aot-cache")) : null,
                Long.parseLong(opt.getOrDefault("server-pid", "0")), new Idle(), Map.of());
        machine(setup, opt);

        StringBuilder md = new StringBuilder();
        int failures = 0;
        for (String s : scenarios) {
            long t0 = System.nanoTime();
            try {
                md.append(switch (s) {
                    case "batch" -> new BatchBench(setup).run();
                    case "roundtrip" -> new RoundTripBench(setup).run();
                    case "claude" -> new ClaudeBench(setup).run();
                    case "claude-turn2" -> new ClaudeTurnBench(setup).run();
                    case "claude-permission" -> new ClaudePermissionBench(setup).run();
                    default -> throw new IllegalArgumentException("unknown scenario " + s
                            + " (batch, roundtrip, claude, claude-session, claude-turn2, claude-permission)");
                }).append('\n');
            } catch (RuntimeException e) {
                failures++;
                System.err.println("bench/client/run: scenario " + s + " FAILED: " + e);
                e.printStackTrace();
                md.append("### ").append(s).append(": FAILED\n\n```\n").append(e).append("\n```\n\n");
                setup.put(s + ".failed", e.toString().replace('\n', ' '));
            }
            System.err.printf("scenario %s took %s%n", s, Duration.ofNanos(System.nanoTime() - t0));
        }

        String report = header(setup, opt) + "\n" + md;
        Files.writeString(out.resolve("report.md"), report);
        StringBuilder props = new StringBuilder();
        setup.values().forEach((k, v) -> props.append(k).append('=').append(v.replace("\n", "\\n")).append('\n'));
        Files.writeString(out.resolve("results.properties"), props);
        System.out.print(report);
        System.out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void machine(Setup setup, Map<String, String> opt) throws IOException {
        setup.put("meta.date", Instant.now().toString());
        setup.put("meta.nproc", Runtime.getRuntime().availableProcessors());
        setup.put("meta.cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceFirst("^[^:]*:\\s*", ""))
                .orElse("?"));
        setup.put("meta.mem_gib", String.format("%.1f", Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal")).findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .orElse(0L) / 1048576.0));
        setup.put("meta.kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        setup.put("meta.jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        setup.put("meta.ccx", opt.getOrDefault("commit", "unknown"));
        setup.put("meta.command", opt.getOrDefault("command", "bench/client/run"));
        setup.put("meta.quick", setup.quick());
        setup.put("meta.xargs", firstLine(List.of("xargs", "--version")));
        if (BatchBench.onPath("parallel")) {
            setup.put("meta.parallel", firstLine(List.of("parallel", "--will-cite", "--version")));
        }
    }

    private static String firstLine(List<String> argv) {
        Proc.Outcome o = Proc.run(argv, Path.of("."), Duration.ofSeconds(30));
        return o.stdout().lines().findFirst().orElse("?");
    }

    private static String header(Setup setup, Map<String, String> opt) {
        Map<String, String> v = setup.values();
        return "## Client and CLI: ccx next to a peer, `" + v.get("meta.command") + "`\n\n"
                + "Run " + setup.out().getFileName() + " (" + v.get("meta.date") + "), ccx " + v.get("meta.ccx")
                + ". Machine: " + v.get("meta.nproc") + " CPUs (" + v.get("meta.cpu") + "), " + v.get("meta.mem_gib")
                + " GiB, kernel " + v.get("meta.kernel") + ", " + v.get("meta.jdk") + ", " + v.get("meta.xargs")
                + (v.containsKey("meta.parallel") ? ", " + v.get("meta.parallel") : "") + ".\n"
                + "One ccx server (`ccx serve --port 0`, defaults otherwise) serves every scenario.\n";
    }
}
