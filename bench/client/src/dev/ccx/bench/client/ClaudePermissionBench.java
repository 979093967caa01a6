// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.ClaudeSessionOptions;
import dev.ccx.client.claude.PermissionDecision;
import dev.ccx.client.claude.SessionListener;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.client.claude.stub.ClaudeCodeCli;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Scenario claude-session, part 2: what ccx adds to a {@code can_use_tool} round trip, timed where the CLI sees it.
 * Two live sessions of the CLI run with {@code --permission-mode default --permission-prompt-tool stdio}, each
 * behind a {@link StdioRelay} that timestamps the request line leaving the CLI and the answer line reaching it: one
 * a {@link ClaudeSession} through ccx whose {@link dev.ccx.client.claude.PermissionCallback} allows at once, the
 * other a {@link DirectSession} on the relay's own pipes, answering in place. Each turn the stub asks for
 * {@value #WRITES} {@code Write}s to new files outside the cwd (each a separate API reply, each asked about), then
 * answers with a text. The sessions take turns (ABBA). The difference of the two distributions is what ccx adds;
 * through ccx, the client's own timestamps (the request seen by the session's listener, the callback called) split
 * the round trip into the way down, the client, and the way back.
 */
final class ClaudePermissionBench {
    static final int WRITES = 10;
    private static final Duration BOUND = Duration.ofSeconds(120);

    private final Setup setup;
    private final Path dir;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final Map<String, Long> decided = new ConcurrentHashMap<>();
    private final AtomicInteger asked = new AtomicInteger();

    ClaudePermissionBench(Setup setup) throws IOException {
        this.setup = setup;
        this.dir = Files.createDirectories(setup.out().resolve("claude-session"));
    }

    String run() throws IOException {
        int turns = setup.quick() ? 3 : 20;
        int warmup = setup.quick() ? 1 : 3;
        Path exe = ClaudeCodeCli.executable();
        Path cwd = Files.createDirectories(dir.resolve("permission-work"));
        Path outside = Files.createDirectories(dir.resolve("permission-outside"));
        Path home = Files.createDirectories(dir.resolve("permission-home"));
        Path relay = relayScript(exe);
        Path[] trips = {dir.resolve("permission-ccx.trips"), dir.resolve("permission-direct.trips")};
        long[][] turnWall = new long[2][turns];
        Idle.Load worst = null;
        ClaudeCommand command = ClaudeCommand.session().executable(relay.toString())
                .permissionMode(ClaudeCommand.PermissionMode.DEFAULT);
        List<String> argv = new ArrayList<>(command.argv());
        argv.addAll(List.of("--permission-prompt-tool", "stdio")); // what ClaudeSession adds with a callback
        try (StubAnthropicApi stub = StubAnthropicApi.start();
             CcxClient client = CcxClient.connect(setup.url(), ClientOptions.defaults())) {
            Map<String, String> env = ClaudeCodeCli.environment(stub.baseUrl(), home);
            ClaudeSessionOptions options = ClaudeSessionOptions.builder(command).cwd(cwd.toString())
                    .env(with(env, StdioRelay.LOG_VARIABLE, trips[0].toString())).listener(listener())
                    .permissions(r -> {
                        decided.put(r.requestId(), System.nanoTime());
                        asked.incrementAndGet();
                        return new PermissionDecision.Allow(null);
                    }).build();
            Map<String, String> directEnv = with(with(env, StdioRelay.LOG_VARIABLE, trips[1].toString()),
                    "CLAUDE_CODE_ENTRYPOINT", "sdk-java");
            try (ClaudeSession ccx = ClaudeSession.start(client, options);
                 DirectSession direct = DirectSession.start(argv, cwd, directEnv, BOUND)) {
                int turn = 0;
                for (int r = -warmup; r < turns; r++) {
                    Idle.Load load = setup.idle().await("claude-session permissions, round " + r);
                    if (r >= 0 && (worst == null || load.idlePct() < worst.idlePct())) {
                        worst = load;
                    }
                    for (int k = 0; k < 2; k++) {
                        boolean viaCcx = (k == 0) == (Math.floorMod(r, 2) == 0);
                        String answer = script(stub, outside, ++turn);
                        int before = viaCcx ? asked.get() : direct.permissionsAnswered();
                        long t0 = System.nanoTime();
                        String text = viaCcx ? ccxTurn(ccx, turn) : directTurn(direct, turn);
                        long t = System.nanoTime() - t0;
                        int after = viaCcx ? asked.get() : direct.permissionsAnswered();
                        BenchFailure.check(answer.equals(text) && after - before == WRITES,
                                "turn " + turn + (viaCcx ? " through ccx" : " direct") + ": answer " + text + ", "
                                        + (after - before) + " permission requests");
                        checkWritten(outside, turn);
                        if (r >= 0) {
                            turnWall[viaCcx ? 0 : 1][r] = t;
                        }
                    }
                    BenchFailure.check(stub.pending() == 0 && stub.unscripted().isEmpty(),
                            "the stub was not asked exactly once per reply: " + stub.unscripted());
                }
            }
        }
        return new PermissionReport(setup, warmup, turns).report(read(trips[0]), read(trips[1]), seen, decided,
                turnWall, worst, Setup.show(argv));
    }

    /** Queues one turn's replies: {@value #WRITES} Writes to new files outside the cwd, then the answer. */
    private static String script(StubAnthropicApi stub, Path outside, int turn) {
        for (int w = 1; w <= WRITES; w++) {
            stub.enqueue(Reply.write(outside.resolve("t" + turn + "-w" + w + ".txt").toString(), "x"));
        }
        String answer = "Turn " + turn + ": " + WRITES + " files written.";
        stub.enqueue(Reply.text(answer));
        return answer;
    }

    private static String ccxTurn(ClaudeSession session, int turn) {
        TurnResult r = session.send("Turn " + turn + ": write the files.").await(BOUND);
        BenchFailure.check(r.ok(), "turn " + turn + " through ccx: " + r);
        return r.text();
    }

    private static String directTurn(DirectSession session, int turn) {
        JsonNode r = session.turn("Turn " + turn + ": write the files.", BOUND);
        BenchFailure.check(!r.path("is_error").asBoolean(true), "turn " + turn + " direct: " + r);
        return r.path("result").asString();
    }

    private static void checkWritten(Path outside, int turn) throws IOException {
        for (int w = 1; w <= WRITES; w++) {
            Path f = outside.resolve("t" + turn + "-w" + w + ".txt");
            BenchFailure.check(Files.isRegularFile(f) && "x".equals(Files.readString(f)), f + " was not written");
        }
    }

    /** Records when the session's listener sees each {@code can_use_tool} request line. */
    private SessionListener listener() {
        return event -> {
            if (event instanceof ClaudeEvent.Unknown u && "control_request".equals(u.type())
                    && "can_use_tool".equals(u.subtype())) {
                seen.put(u.node().path("request_id").asString(), System.nanoTime());
            }
        };
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(env);
        m.put(name, value);
        return m;
    }

    /** {@code relay.sh}: the CLI behind a {@link StdioRelay}, on a small JVM, with this harness's classes. */
    private Path relayScript(Path exe) throws IOException {
        Path classes;
        try {
            classes = Path.of(StdioRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path script = dir.resolve("relay.sh");
        Files.writeString(script, "#!/bin/sh\nexec '" + setup.java() + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
                + " -Xmx64m -cp '" + classes + "' " + StdioRelay.class.getName() + " '" + exe + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /**
     * What a relay timed, warm-up first: each round trip's request id with the nanoTimes its request left the CLI and
     * its answer came; each turn's duration at the CLI (user message in, result out).
     */
    record Relayed(List<String[]> trips, long[] turns) {
    }

    static Relayed read(Path file) {
        List<String[]> lines;
        try {
            lines = Files.readAllLines(file).stream().map(l -> l.split(" ")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the relay wrote nothing to " + file, e);
        }
        List<String[]> trips = lines.stream().filter(f -> f[0].equals("can_use_tool"))
                .map(f -> new String[] {f[1], f[2], f[3]}).toList();
        long[] turns = lines.stream().filter(f -> f[0].equals("turn"))
                .mapToLong(f -> Long.parseLong(f[3]) - Long.parseLong(f[2])).toArray();
        return new Relayed(trips, turns);
    }
}
