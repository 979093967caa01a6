// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.ClaudeSessionOptions;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.client.claude.stub.ClaudeCodeCli;
import dev.ccx.client.claude.stub.RecordedRequest;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Scenario claude-session, part 1: the second turn of a conversation with Claude Code, kept alive or resumed. Live:
 * a {@link ClaudeSession} (one CLI process in stream-json input mode) whose first turn is done; timed is turn 2,
 * from {@code send} to its {@code result}. Resumed: a first {@code claude -p} run gives the session id, and timed is
 * the second run, {@code claude -p PROMPT --resume ID}, a new process, from its start to its exit. Each through ccx
 * and directly ({@link DirectSession}, {@link ClaudeCodeCli#run}), against one stub that answers every request at
 * once with a text. Every sample is a new conversation; the four variants rotate (ABBA) round by round.
 */
final class ClaudeTurnBench {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String[] NAMES = {"ccx-live", "ccx-resume", "direct-live", "direct-resume"};

    private final Setup setup;
    private final Path dir;
    private Path exe;
    private Path cwd;
    private Map<String, String> env;
    private StubAnthropicApi stub;
    private int conversation;

    ClaudeTurnBench(Setup setup) throws IOException {
        this.setup = setup;
        this.dir = Files.createDirectories(setup.out().resolve("claude-session"));
    }

    String run() throws IOException {
        int n = setup.quick() ? 3 : 20;
        int warmup = setup.quick() ? 1 : 2;
        exe = ClaudeCodeCli.executable();
        cwd = Files.createDirectories(dir.resolve("turn2-work"));
        Path home = Files.createDirectories(dir.resolve("turn2-home"));
        long[][] wall = new long[4][n];
        long[][] cli = new long[4][n];
        Idle.Load worst = null;
        try (StubAnthropicApi api = StubAnthropicApi.start();
             CcxClient client = CcxClient.connect(setup.url(), ClientOptions.defaults())) {
            stub = api;
            env = ClaudeCodeCli.environment(api.baseUrl(), home);
            for (int r = -warmup; r < n; r++) {
                Idle.Load load = setup.idle().await("claude-session turn 2, round " + r);
                if (r >= 0 && (worst == null || load.idlePct() < worst.idlePct())) {
                    worst = load;
                }
                for (int k = 0; k < 4; k++) {
                    int v = r % 2 == 0 ? k : 3 - k;
                    long[] timed = switch (v) {
                        case 0 -> ccxLive(client);
                        case 1 -> ccxResume(client);
                        case 2 -> directLive();
                        default -> directResume();
                    };
                    if (r >= 0) {
                        wall[v][r] = timed[0];
                        cli[v][r] = timed[1];
                    }
                }
                BenchFailure.check(api.pending() == 0 && api.unscripted().isEmpty(),
                        "the stub was not asked exactly once per turn: " + api.requests());
            }
        }
        for (int v = 0; v < 4; v++) {
            System.err.println("claude-session turn 2, " + NAMES[v] + ": " + Stats.of(wall[v]));
        }
        return report(n, warmup, wall, cli, worst);
    }

    // ---- the four variants: each returns {turn 2's wall time, the CLI's own duration_ms}, in nanoseconds ---------

    private long[] ccxLive(CcxClient client) {
        Conversation c = next();
        ClaudeSessionOptions options = ClaudeSessionOptions.builder(ClaudeCommand.session().executable(exe.toString()))
                .cwd(cwd.toString()).env(env).build();
        try (ClaudeSession session = ClaudeSession.start(client, options)) {
            check(session.send(c.first).await(BOUND), c.answer1, "ccx live turn 1");
            long t0 = System.nanoTime();
            TurnResult second = session.send(c.second).await(BOUND);
            long t = System.nanoTime() - t0;
            check(second, c.answer2, "ccx live turn 2");
            c.checkHistory();
            return new long[] {t, millis(second.claude().durationMs())};
        }
    }

    private long[] ccxResume(CcxClient client) {
        Conversation c = next();
        ClaudeCommand first = ClaudeCommand.of(c.first).executable(exe.toString());
        TaskResult r1 = ClaudeTask.of(first).cwd(cwd.toString()).env(env).timeout(BOUND).run(client);
        check(r1, c.answer1, "ccx resume turn 1");
        ClaudeTask second = ClaudeTask.of(first.prompt(c.second).resume(r1.claude().sessionId())).cwd(cwd.toString())
                .env(env).timeout(BOUND);
        long t0 = System.nanoTime();
        TaskResult r2 = second.run(client);
        long t = System.nanoTime() - t0;
        check(r2, c.answer2, "ccx resume turn 2");
        c.checkHistory();
        return new long[] {t, millis(r2.claude().durationMs())};
    }

    private long[] directLive() {
        Conversation c = next();
        // What ClaudeSession adds to the environment, so that the CLI sees the same.
        Map<String, String> sdkEnv = new LinkedHashMap<>(env);
        sdkEnv.put("CLAUDE_CODE_ENTRYPOINT", "sdk-java");
        try (DirectSession session = DirectSession.start(ClaudeCommand.session().executable(exe.toString()).argv(),
                cwd, sdkEnv, BOUND)) {
            check(session.turn(c.first, BOUND), c.answer1, "direct live turn 1");
            long t0 = System.nanoTime();
            JsonNode second = session.turn(c.second, BOUND);
            long t = System.nanoTime() - t0;
            check(second, c.answer2, "direct live turn 2");
            c.checkHistory();
            return new long[] {t, second.path("duration_ms").asLong() * 1_000_000L};
        }
    }

    private long[] directResume() {
        Conversation c = next();
        ClaudeCommand first = ClaudeCommand.of(c.first).executable(exe.toString());
        ClaudeCodeCli.Run r1 = ClaudeCodeCli.run(cwd, env, args(first), BOUND);
        JsonNode result1 = r1.result().orElseThrow(() -> new BenchFailure("direct resume turn 1: " + r1.describe()));
        check(result1, c.answer1, "direct resume turn 1");
        List<String> second = args(first.prompt(c.second).resume(result1.path("session_id").asString()));
        long t0 = System.nanoTime();
        ClaudeCodeCli.Run r2 = ClaudeCodeCli.run(cwd, env, second, BOUND);
        long t = System.nanoTime() - t0;
        BenchFailure.check(r2.exitCode() != null && r2.exitCode() == 0, "direct resume turn 2: " + r2.describe());
        JsonNode result2 = r2.result().orElseThrow(() -> new BenchFailure("direct resume turn 2: " + r2.describe()));
        check(result2, c.answer2, "direct resume turn 2");
        c.checkHistory();
        return new long[] {t, result2.path("duration_ms").asLong() * 1_000_000L};
    }

    private static List<String> args(ClaudeCommand command) {
        return command.argv().subList(1, command.argv().size());
    }

    // ---- one conversation's prompts and answers, and the checks ---------------------------------------------------

    /** Two prompts and the answers scripted for them; unique per conversation. */
    private final class Conversation {
        final String first;
        final String second;
        final String answer1;
        final String answer2;

        Conversation(int i) {
            first = "Conversation " + i + ", question 1: what is the answer?";
            second = "Conversation " + i + ", question 2: and the next one?";
            answer1 = "Conversation " + i + ": the answer is 1.";
            answer2 = "Conversation " + i + ": the answer is 2.";
            stub.enqueue(Reply.text(answer1), Reply.text(answer2));
        }

        /** Turn 2's request to the API carried turn 1: the conversation went on, whichever way it was run. */
        void checkHistory() {
            RecordedRequest last = stub.messageRequests().getLast();
            String text = last.userText();
            BenchFailure.check(text.contains(first) && text.contains(second)
                            && last.messages().toString().contains(answer1),
                    "turn 2 of conversation did not carry turn 1: " + last.messages());
        }
    }

    private Conversation next() {
        return new Conversation(++conversation);
    }

    private static void check(TurnResult r, String expected, String what) {
        BenchFailure.check(r.ok() && expected.equals(r.text()), what + ": " + r);
    }

    private static void check(TaskResult r, String expected, String what) {
        BenchFailure.check(r.status() == TaskStatus.SUCCESS && r.attempts() == 1 && expected.equals(r.claude().text()),
                what + ": " + r.status() + " " + r.message() + " " + r.claude());
    }

    private static void check(JsonNode result, String expected, String what) {
        BenchFailure.check(!result.path("is_error").asBoolean(true)
                && expected.equals(result.path("result").asString()), what + ": " + result);
    }

    private static long millis(Long ms) {
        return ms == null ? 0 : ms * 1_000_000L;
    }

    // ---- the report -----------------------------------------------------------------------------------------

    private String report(int n, int warmup, long[][] wall, long[][] cli, Idle.Load worst) {
        String[] labels = {
            "through ccx, live: `ClaudeSession`, turn 2 (`send` → result)",
            "through ccx, resumed: `ClaudeTask.run`, `claude -p … --resume ID` (start → exit)",
            "direct, live: `DirectSession` (ProcessBuilder, pipes), turn 2",
            "direct, resumed: `ClaudeCodeCli.run`, `claude -p … --resume ID`"};
        Table table = new Table("Turn 2 of a conversation", ">n", ">p50 ms", ">p90 ms", ">max ms", ">min ms",
                ">CLI's own duration_ms, p50");
        for (int v = 0; v < 4; v++) {
            String key = "claude_session.turn2." + NAMES[v].replace('-', '_');
            setup.put(key, Stats.of(wall[v]));
            setup.put(key + ".p90_ms", Stats.pctMs(wall[v], 90));
            setup.put(key + ".cli_duration_p50_ms", Stats.pctMs(cli[v], 50));
            table.row(labels[v], n, Table.ms(Stats.pctMs(wall[v], 50)), Table.ms(Stats.pctMs(wall[v], 90)),
                    Table.ms(Stats.pctMs(wall[v], 100)), Table.ms(Stats.pctMs(wall[v], 0)),
                    Table.ms(Stats.pctMs(cli[v], 50)));
        }
        double ccxRatio = Stats.pctMs(wall[1], 50) / Stats.pctMs(wall[0], 50);
        double directRatio = Stats.pctMs(wall[3], 50) / Stats.pctMs(wall[2], 50);
        setup.put("claude_session.turn2.ratio_resume_to_live.ccx", ccxRatio);
        setup.put("claude_session.turn2.ratio_resume_to_live.direct", directRatio);
        setup.put("claude_session.turn2", worst);
        List<String> notes = new ArrayList<>();
        notes.add(String.format("Resumed ÷ live at p50: %.1f× through ccx (%s against %s ms), %.1f× direct.", ccxRatio,
                Table.ms(Stats.pctMs(wall[1], 50)), Table.ms(Stats.pctMs(wall[0], 50)), directRatio));
        notes.add(String.format("ccx over direct at p50: live %+.1f ms, resumed %+.1f ms.",
                Stats.pctMs(wall[0], 50) - Stats.pctMs(wall[2], 50), Stats.pctMs(wall[1], 50)
                        - Stats.pctMs(wall[3], 50)));
        return "### 4. Claude Code live sessions: turn 2, live or resumed\n\n" + n + " conversations per variant after "
                + warmup + " warm-up rounds, the four variants rotating (ABBA); each answer and turn 2's history "
                + "checked; CPUs at least " + worst.idlePct() + "% idle before every round"
                + (worst.quiet() ? "" : " — **busy**") + " (load average " + worst.loadAvg() + " at the worst).\n\n"
                + table.markdown() + "\n" + String.join(" ", notes) + "\n\n"
                + "* live: `" + Setup.show(ClaudeCommand.session().executable(exe.toString()).argv()) + "`, prompts on "
                + "stdin; resumed: `" + Setup.show(ClaudeCommand.of("PROMPT").executable(exe.toString()).resume("ID")
                .argv()) + "`\n";
    }
}
