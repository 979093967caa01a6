// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.stub.ClaudeCodeCli;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 3: the real Claude Code CLI (the version the client tests pin) against the stub Anthropic API on loopback,
 * one plain-text answer per run. Direct: {@link ClaudeCodeCli#run} (ProcessBuilder, stdout read line by line,
 * stderr to a file, the whole environment given). Through ccx: {@link ClaudeTask#run(CcxClient)} on a connection
 * opened once, the same argv and environment (added to the server's). The two alternate (ABBA order), each answer is
 * checked against the one the stub was given for that run.
 */
final class ClaudeBench {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String PROMPT = "What is the answer?";

    private final Setup setup;
    private final Path dir;

    ClaudeBench(Setup setup) throws IOException {
        this.setup = setup;
        this.dir = Files.createDirectories(setup.out().resolve("claude"));
    }

    String run() throws IOException {
        int m = setup.quick() ? 3 : 10;
        int warmup = 2;
        Path exe = ClaudeCodeCli.executable();
        Path cwd = Files.createDirectories(dir.resolve("work"));
        Path home = Files.createDirectories(dir.resolve("home"));
        long[] direct = new long[m];
        long[] ccx = new long[m];
        long[] directCli = new long[m];
        long[] ccxCli = new long[m];
        Cpu directCpu = setup.cpu();
        Cpu ccxCpu = setup.cpu();
        Idle.Load worst = null;
        String directShown;
        String ccxShown;
        try (StubAnthropicApi stub = StubAnthropicApi.start();
             CcxClient client = CcxClient.connect(setup.url(), ClientOptions.defaults())) {
            Map<String, String> env = ClaudeCodeCli.environment(stub.baseUrl(), home);
            ClaudeCommand command = ClaudeCommand.of(PROMPT).executable(exe.toString())
                    .permissionMode(ClaudeCommand.PermissionMode.ACCEPT_EDITS).allowedTools(List.of("Write", "Read"));
            List<String> args = command.argv().subList(1, command.argv().size());
            ClaudeTask task = ClaudeTask.of(command).cwd(cwd.toString()).env(env).timeout(BOUND);
            directShown = "ClaudeCodeCli.run(cwd, env, args, 60 s): " + Setup.show(command.argv());
            ccxShown = "ClaudeTask.of(command).cwd(cwd).env(env).timeout(60 s).run(client)";
            int answer = 0;
            for (int r = -warmup; r < m; r++) {
                Idle.Load load = setup.idle().await("claude round " + r);
                if (r >= 0 && (worst == null || load.idlePct() < worst.idlePct())) {
                    worst = load;
                }
                boolean directFirst = Math.floorMod(r, 2) == 0;
                for (int k = 0; k < 2; k++) {
                    String expected = "The answer is " + (++answer) + ".";
                    stub.enqueue(Reply.text(expected));
                    boolean isDirect = (k == 0) == directFirst;
                    long[] c0 = (isDirect ? directCpu : ccxCpu).now();
                    long[] timed = isDirect ? direct(cwd, env, args, expected) : ccx(client, task, expected);
                    if (r >= 0) {
                        (isDirect ? directCpu : ccxCpu).add(c0);
                        (isDirect ? direct : ccx)[r] = timed[0];
                        (isDirect ? directCli : ccxCli)[r] = timed[1];
                    }
                }
                BenchFailure.check(stub.pending() == 0 && stub.unscripted().isEmpty(),
                        "the stub was not asked exactly once per run: " + stub.requests());
            }
            System.err.println("claude direct: " + Stats.of(direct) + "; ccx: " + Stats.of(ccx));
        }
        return report(m, new long[][] {direct, ccx, directCli, ccxCli}, new Cpu[] {directCpu, ccxCpu}, worst,
                directShown, ccxShown);
    }

    /** Wall time and the CLI's own {@code duration_ms} (as nanoseconds) of a direct run. */
    private static long[] direct(Path cwd, Map<String, String> env, List<String> args, String expected) {
        long t0 = System.nanoTime();
        ClaudeCodeCli.Run run = ClaudeCodeCli.run(cwd, env, args, BOUND);
        long t = System.nanoTime() - t0;
        JsonNode result = run.result().orElse(null);
        boolean answered = result != null && !result.path("is_error").asBoolean(true)
                && expected.equals(result.path("result").asString());
        BenchFailure.check(run.exitCode() != null && run.exitCode() == 0 && answered,
                "direct Claude Code run: " + run.describe());
        return new long[] {t, result.path("duration_ms").asLong() * 1_000_000L};
    }

    private static long[] ccx(CcxClient client, ClaudeTask task, String expected) {
        long t0 = System.nanoTime();
        TaskResult r = task.run(client);
        long t = System.nanoTime() - t0;
        BenchFailure.check(r.status() == TaskStatus.SUCCESS && r.attempts() == 1
                        && expected.equals(r.claude().text()),
                "Claude Code through ccx: " + r.status() + " " + r.message() + " " + r.claude());
        Long ms = r.claude().durationMs();
        return new long[] {t, ms == null ? 0 : ms * 1_000_000L};
    }

    /** {@code t}: wall times direct, through ccx, then the CLI's own durations likewise; {@code cpu} likewise. */
    private String report(int m, long[][] t, Cpu[] cpu, Idle.Load worst, String directShown, String ccxShown) {
        long[] direct = t[0];
        long[] ccx = t[1];
        Stats d = Stats.of(direct);
        Stats c = Stats.of(ccx);
        long[] diff = new long[m];
        for (int i = 0; i < m; i++) {
            diff[i] = ccx[i] - direct[i];
        }
        Arrays.sort(diff);
        double pairedMs = (m % 2 == 1 ? diff[m / 2] : (diff[m / 2 - 1] + diff[m / 2]) / 2.0) / 1e6;
        Table table = new Table("Variant", ">n", ">p50 ms", ">p95 ms", ">min ms", ">CLI's own duration_ms, p50",
                ">CPU ms/run: machine", ">ccx server JVM", ">commands under ccx", ">client side");
        List<String> dc = setup.cpuCells("claude.direct", cpu[0], 1);
        List<String> cc = setup.cpuCells("claude.ccx", cpu[1], 1);
        table.row("direct: ProcessBuilder (`ClaudeCodeCli.run`)", d.n(), Table.ms(d.p50()), Table.ms(d.p95()),
                Table.ms(d.min()), Table.ms(Stats.of(t[2]).p50()), dc.get(0), dc.get(1), dc.get(2), dc.get(3));
        table.row("through ccx: `ClaudeTask.run(client)`, warm client", c.n(), Table.ms(c.p50()), Table.ms(c.p95()),
                Table.ms(c.min()), Table.ms(Stats.of(t[3]).p50()), cc.get(0), cc.get(1), cc.get(2), cc.get(3));
        setup.put("claude.direct", d);
        setup.put("claude.ccx", c);
        setup.put("claude.direct.cli_duration_p50_ms", Stats.of(t[2]).p50());
        setup.put("claude.ccx.cli_duration_p50_ms", Stats.of(t[3]).p50());
        setup.put("claude.overhead.p50_diff_ms", c.p50() - d.p50());
        setup.put("claude.overhead.paired_median_ms", pairedMs);
        setup.put("claude", worst);
        setup.put("claude.version", ClaudeCodeCli.VERSION);
        return "### 3. Claude Code " + ClaudeCodeCli.VERSION + " against the stub API, direct and through ccx\n\n"
                + m + " timed runs each after 2 warm-up rounds, alternating (ABBA); each answer checked; CPUs at "
                + "least " + worst.idlePct() + "% idle before every round" + (worst.quiet() ? "" : " — **busy**")
                + " (load average " + worst.loadAvg() + " at the worst).\n\n" + table.markdown()
                + String.format("%nOverhead of ccx: %+.1f ms at p50 (%+.1f%%); median of the paired differences "
                        + "%+.1f ms.%n%n", c.p50() - d.p50(), 100 * (c.p50() - d.p50()) / d.p50(), pairedMs)
                + "* direct: `" + directShown + "`\n* through ccx: `" + ccxShown + "`\n";
    }
}
