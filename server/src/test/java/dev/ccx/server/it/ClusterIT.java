// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import dev.ccx.server.testing.RedisServer;
import dev.ccx.server.testing.ServerProcess;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Several server JVMs on one private {@code redis-server}: placement, replay and reattach through other nodes, a
 * worker killed with SIGKILL, idempotency keys, Redis paused in the middle of a flood, labels and limits.
 */
class ClusterIT {
    private static final long WAIT = 30_000;

    @TempDir
    Path dir;
    private RedisServer redis;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    /** Process groups started on nodes that a test kills: nobody else is left to end them. */
    private final List<Long> groups = new ArrayList<>();

    @BeforeEach
    void redis() throws IOException {
        redis = new RedisServer(RedisServer.freePort());
        redis.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(TestClient::abort);
        for (ServerProcess n : nodes) {
            n.close();
        }
        for (long g : groups) {
            if (g > 1) { // never -0 (our own group) or -1 (every process we may signal)
                try {
                    new ProcessGroup(g).signal(Signal.KILL);
                } catch (IllegalStateException gone) {
                    // already gone
                }
            }
        }
        redis.close();
    }

    private ServerProcess node(String id, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--cluster", redis.url(), "--node-id", id));
        args.addAll(List.of(extra));
        ServerProcess p = ServerProcess.start(dir.resolve(id), args.toArray(String[]::new));
        nodes.add(p);
        return p;
    }

    private TestClient client(ServerProcess node) {
        TestClient c = TestClient.connect(node.uri());
        clients.add(c);
        return c;
    }

    /** Waits until every node sees {@code count} live nodes. */
    private void converged(int count, ServerProcess... of) {
        for (ServerProcess n : of) {
            Wait.until(10_000, "the nodes to see each other", () -> health(n).path("cluster").path("nodes").size()
                    == count);
        }
    }

    private static JsonNode health(ServerProcess node) {
        try {
            URI h = URI.create("http://" + node.uri().getHost() + ":" + node.uri().getPort() + "/health");
            try (HttpClient http = HttpClient.newHttpClient()) {
                String body = http.send(HttpRequest.newBuilder(h).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static int lines(Path file) {
        try {
            return Files.readAllLines(file).size();
        } catch (IOException e) {
            return 0;
        }
    }

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void anExecuteOnAGatewayRunsOnAWorkerAndIsReplayedAndReattachedThroughAnotherNode() throws Exception {
        ServerProcess a = node("a", "--role", "gateway");
        ServerProcess b = node("b", "--label", "gpu");
        ServerProcess c = node("c");
        converged(3, a, b, c);
        JsonNode nodesSeen = health(a).path("cluster").path("nodes");
        assertThat(nodesSeen.findValuesAsString("id")).containsExactlyInAnyOrder("a", "b", "c");

        TestClient onA = client(a);
        JsonNode started = onA.call("execute", params("command",
                "for i in $(seq 1 300); do echo line$i; sleep 0.01; done", "require", List.of("gpu"),
                "on_disconnect", "keep"));
        assertThat(started.path("result").path("node").asString()).isEqualTo("b");
        String id = started.path("result").path("execution_id").asString();

        // A follower of A reads a part, then A goes away without a word.
        List<Long> seqs = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        while (out.toString().split("\n").length < 50) {
            JsonNode m = onA.take(n -> n.has("params") && id.equals(TestClient.text(n.get("params"),
                    "execution_id")), WAIT);
            seqs.add(m.get("params").get("seq").asLong());
            if ("process.output".equals(TestClient.text(m, "method"))) {
                out.append(m.get("params").get("data").asString());
            }
        }
        a.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        // Its client comes back through C from the last seq it saw and misses nothing.
        TestClient onC = client(c);
        JsonNode attached = onC.attach(id, seqs.getLast());
        assertThat(attached.has("result")).as(attached.toString()).isTrue();
        JsonNode done = onC.drain(id, WAIT, m -> {
            seqs.add(m.get("params").get("seq").asLong());
            if ("process.output".equals(TestClient.text(m, "method"))) {
                out.append(m.get("params").get("data").asString());
            }
        });
        assertThat(done.path("reason").asString()).isEqualTo("exit");
        assertThat(seqs).isEqualTo(IntStream.rangeClosed(seqs.getFirst().intValue(), seqs.getLast().intValue())
                .mapToObj(Long::valueOf).toList());
        assertThat(out.toString()).isEqualTo(IntStream.rangeClosed(1, 300).mapToObj(i -> "line" + i + "\n")
                .reduce("", String::concat));

        // Another client attached through C from 0 gets the whole of it.
        TestClient replay = client(c);
        assertThat(replay.attach(id, 0).has("result")).isTrue();
        StringBuilder all = new StringBuilder();
        List<String> methods = new ArrayList<>();
        replay.drain(id, WAIT, m -> {
            methods.add(TestClient.text(m, "method"));
            if ("process.output".equals(TestClient.text(m, "method"))) {
                all.append(m.get("params").get("data").asString());
            }
        });
        assertThat(methods.getFirst()).isEqualTo("process.started");
        assertThat(all.toString()).isEqualTo(out.toString());
        assertThat(replay.listed(id).path("node").asString()).isEqualTo("b");
    }

    @Test
    void aKilledWorkersExecutionsEndWithWorkerLostAndNoneRunsTwice() throws Exception {
        ServerProcess a = node("a", "--role", "gateway", "--lease", "3");
        ServerProcess b = node("b", "--label", "b", "--label", "any", "--lease", "3");
        ServerProcess c = node("c", "--label", "any", "--lease", "3");
        converged(3, a, b, c);
        Path runs = dir.resolve("runs");
        Files.createFile(runs);
        TestClient onA = client(a);
        onA.call("hook_status", Map.of()); // connected
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestClient t = client(a);
            JsonNode r = t.call("execute", params("command", "echo run >> " + runs + "; echo up; sleep 60",
                    "require", List.of("b"), "on_disconnect", "keep"));
            assertThat(r.path("result").path("node").asString()).as(r.toString()).isEqualTo("b");
            ids.add(r.path("result").path("execution_id").asString());
            groups.add(r.path("result").path("pgid").asLong());
            t.notification("process.output", ids.getLast(), WAIT);
        }
        // One that may be restarted: on B as well.
        JsonNode retried = client(a).call("execute", params("command", "echo again >> " + runs + ".retry; sleep 60",
                "require", List.of("b"), "on_disconnect", "keep", "retry_on_loss", true));
        String retriedId = retried.path("result").path("execution_id").asString();
        groups.add(retried.path("result").path("pgid").asLong());
        Wait.until(WAIT, "the retried one to start", () -> Files.exists(Path.of(runs + ".retry")));

        long killed = System.nanoTime();
        b.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        for (String id : ids) {
            TestClient t = client(c);
            assertThat(t.attach(id, 0).has("result")).isTrue();
            JsonNode done = t.drain(id, WAIT, m -> { });
            assertThat(done.path("reason").asString()).isEqualTo("worker_lost");
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed)).isLessThan(3 + 5 + 1);
        assertThat(Files.readAllLines(runs)).hasSize(3);

        // retry_on_loss: nobody else has label b, so it ends as lost too, run once.
        TestClient t = client(c);
        assertThat(t.attach(retriedId, 0).has("result")).isTrue();
        assertThat(t.drain(retriedId, WAIT, m -> { }).path("reason").asString()).isEqualTo("worker_lost");
        assertThat(Files.readAllLines(Path.of(runs + ".retry"))).hasSize(1);

        // New work goes to the worker that is left.
        JsonNode after = client(a).call("execute", params("command", "echo here", "require", List.of("any")));
        assertThat(after.path("result").path("node").asString()).isEqualTo("c");
    }

    @Test
    void retryOnLossRestartsOnAnotherWorkerAndTheLogGoesOn() throws Exception {
        ServerProcess a = node("a", "--role", "gateway", "--lease", "3");
        ServerProcess b = node("b", "--label", "any", "--lease", "3");
        ServerProcess c = node("c", "--label", "any", "--lease", "3");
        converged(3, a, b, c);
        Path runs = dir.resolve("runs");
        TestClient onA = client(a);
        JsonNode r = onA.call("execute", params("command", "echo run >> " + runs + "; echo up; sleep 60",
                "on_disconnect", "keep", "retry_on_loss", true, "require", List.of("any")));
        String id = r.path("result").path("execution_id").asString();
        String first = r.path("result").path("node").asString();
        groups.add(r.path("result").path("pgid").asLong());
        onA.notification("process.output", id, WAIT);
        (first.equals("b") ? b : c).process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long firstPgid = r.path("result").path("pgid").asLong();
        JsonNode again = onA.take(m -> "process.started".equals(TestClient.text(m, "method"))
                && m.get("params").get("pgid").asLong() != firstPgid, WAIT);
        groups.add(again.get("params").get("pgid").asLong());
        Wait.until(WAIT, "the restart to run", () -> lines(runs) == 2);
        JsonNode listed = onA.listed(id);
        assertThat(listed.path("node").asString()).isEqualTo(first.equals("b") ? "c" : "b");
        assertThat(onA.call("control", params("type", "CANCEL", "execution_id", id)).has("result")).isTrue();
        assertThat(onA.drain(id, WAIT, m -> { }).path("reason").asString()).isEqualTo("canceled");
    }

    @Test
    void anIdempotencyKeySubmittedTwiceAtOnceFromTwoNodesStartsOneExecution() throws Exception {
        ServerProcess a = node("a");
        ServerProcess c = node("c");
        converged(2, a, c);
        Path runs = dir.resolve("runs");
        TestClient onA = client(a);
        TestClient onC = client(c);
        Map<String, Object> p = params("command", "echo run >> " + runs + "; echo hi", "idempotency_key",
                "deploy-42");
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> onA.call("execute", p));
        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> onC.call("execute", p));
        JsonNode r1 = first.get(30, TimeUnit.SECONDS).path("result");
        JsonNode r2 = second.get(30, TimeUnit.SECONDS).path("result");
        assertThat(r1.path("execution_id").asString()).isNotEmpty().isEqualTo(r2.path("execution_id").asString());
        assertThat(r1.path("duplicate").asBoolean() ^ r2.path("duplicate").asBoolean()).isTrue();
        String id = r1.path("execution_id").asString();
        assertThat(onA.drain(id, WAIT, m -> { }).path("exit_code").asInt()).isZero();
        assertThat(onC.drain(id, WAIT, m -> { }).path("exit_code").asInt()).isZero();
        // And later, once it has ended, from either node.
        JsonNode r3 = client(c).call("execute", p).path("result");
        assertThat(r3.path("execution_id").asString()).isEqualTo(id);
        assertThat(r3.path("duplicate").asBoolean()).isTrue();
        assertThat(Files.readAllLines(runs)).hasSize(1);
        assertThat(TestClient.errorCode(onA.call("execute", params("command", "true", "idempotency_key",
                "no spaces allowed")))).isEqualTo(-32602);
    }

    @Test
    void redisPausedForFiveSecondsInAHundredThousandLineRunLosesNothing() throws Exception {
        ServerProcess a = node("a", "--role", "gateway");
        ServerProcess b = node("b");
        converged(2, a, b);
        TestClient onA = client(a);
        Path half = dir.resolve("half");
        CompletableFuture<TestClient.Run> run = CompletableFuture.supplyAsync(() -> onA.run(params("command",
                "for i in $(seq 1 100000); do echo line$i; if [ $((i % 10000)) -eq 0 ]; then sleep 0.4; fi; "
                        + "if [ $i -eq 20000 ]; then touch " + half + "; fi; done"), 120_000));
        // Redis stops in the middle of the run: after 20,000 lines, with 80,000 to come.
        Wait.until(WAIT, "the run to be under way", () -> Files.exists(half));
        redis.signal("STOP");
        try {
            Thread.sleep(5000);
        } finally {
            redis.signal("CONT");
        }
        TestClient.Run done = run.get(120, TimeUnit.SECONDS);
        assertThat(done.reason()).isEqualTo("exit");
        String[] lines = done.stdout.toString().split("\n");
        assertThat(lines).hasSize(100_000);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].equals("line" + (i + 1))) {
                throw new AssertionError("line " + (i + 1) + " is " + lines[i]);
            }
        }
    }

    @Test
    void labelsLimitsAndBadInputGetSpecificErrors() throws Exception {
        ServerProcess a = node("a", "--role", "gateway");
        ServerProcess b = node("b", "--max-processes", "1", "--label", "x");
        ServerProcess c = node("c", "--max-processes", "1");
        converged(3, a, b, c);
        TestClient onA = client(a);
        JsonNode unknown = onA.call("execute", params("command", "true", "require", List.of("nope")));
        assertThat(TestClient.errorCode(unknown)).isEqualTo(-32602);
        assertThat(unknown.path("error").path("message").asString()).contains("nope");
        assertThat(TestClient.errorCode(onA.call("execute", params("command", "true", "require",
                List.of("bad label"))))).isEqualTo(-32602);

        List<String> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TestClient t = client(a);
            JsonNode r = t.call("execute", params("command", "sleep 30"));
            assertThat(r.has("result")).as(r.toString()).isTrue();
            running.add(r.path("result").path("node").asString());
            groups.add(r.path("result").path("pgid").asLong());
        }
        assertThat(running).containsExactlyInAnyOrder("b", "c");
        Wait.until(10_000, "the load to be announced", () -> health(a).path("cluster").path("nodes").findValues(
                "running").stream().mapToInt(JsonNode::asInt).sum() == 2);
        JsonNode full = client(a).call("execute", params("command", "true"));
        assertThat(TestClient.errorCode(full)).isEqualTo(-32004);
        assertThat(full.path("error").path("data").path("limit").asString()).isEqualTo("cluster");
    }

    @Test
    void withRedisGoneNewExecutionsFailAtOnceOrRunLocally() throws Exception {
        ServerProcess strict = node("s");
        ServerProcess lenient = node("l", "--cluster-fallback", "local");
        converged(2, strict, lenient);
        redis.kill();
        Wait.until(10_000, "the nodes to notice", () -> !health(strict).path("cluster").path("available")
                .asBoolean(true));
        Wait.until(10_000, "the nodes to notice", () -> !health(lenient).path("cluster").path("available")
                .asBoolean(true));
        long t0 = System.nanoTime();
        JsonNode refused = client(strict).call("execute", params("command", "echo hi"));
        assertThat(TestClient.errorCode(refused)).isEqualTo(-32012);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
        TestClient.Run local = client(lenient).run(params("command", "echo hi"));
        assertThat(local.stdout.toString()).isEqualTo("hi\n");
    }

    @Test
    void controlsAndStdinThroughAGatewayReachTheWorkerAndTheTimingHistoryIsShared() throws Exception {
        ServerProcess a = node("a", "--role", "gateway");
        ServerProcess b = node("b");
        converged(2, a, b);
        TestClient onA = client(a);
        JsonNode r = onA.call("execute", params("command", "while read l; do echo got:$l; done", "stdin", true));
        assertThat(r.path("result").path("node").asString()).isEqualTo("b");
        String id = r.path("result").path("execution_id").asString();
        JsonNode paused = onA.call("control", params("type", "PAUSE", "execution_id", id));
        assertThat(paused.path("result").path("status").asString()).isEqualTo("paused");
        onA.notification("process.paused", id, WAIT);
        assertThat(TestClient.errorCode(onA.call("control", params("type", "PAUSE", "execution_id", id))))
                .isEqualTo(-32006); // the worker's own error, passed on
        assertThat(onA.call("control", params("type", "RESUME", "execution_id", id)).has("result")).isTrue();
        JsonNode wrote = onA.call("stdin", params("execution_id", id, "data", "one\ntwo\n"));
        assertThat(wrote.path("result").path("written").asInt()).as(wrote.toString()).isEqualTo(8);
        assertThat(onA.call("stdin", params("execution_id", id, "eof", true)).has("result")).isTrue();
        StringBuilder out = new StringBuilder();
        JsonNode done = onA.drain(id, WAIT, m -> {
            if ("process.output".equals(TestClient.text(m, "method"))) {
                out.append(m.get("params").get("data").asString());
            }
        });
        assertThat(out.toString()).isEqualTo("got:one\ngot:two\n");
        assertThat(done.path("exit_code").asInt()).isZero();
        // The worker recorded the run in the cluster's Redis: the gateway, which ran nothing, knows it.
        Wait.until(10_000, "the run to be in the shared history", () -> onA.call("history", params("command",
                "while read l; do echo got:$l; done")).path("result").path("runs").size() == 1);
    }

    @Test
    void workThatAStoppedWorkerNeverStartedGoesToAnotherOnce() throws Exception {
        ServerProcess a = node("a", "--role", "gateway", "--lease", "3");
        ServerProcess b = node("b", "--max-processes", "200", "--lease", "3");
        ServerProcess c = node("c", "--max-processes", "100", "--lease", "3");
        converged(3, a, b, c);
        Path runs = dir.resolve("runs");
        new ProcessBuilder("kill", "-STOP", String.valueOf(b.process().pid())).start().waitFor(5, TimeUnit.SECONDS);
        try {
            // B has the most room, so it is asked first; it does not answer, and the work goes to C.
            long t0 = System.nanoTime();
            JsonNode r = client(a).call("execute", params("command", "echo run >> " + runs + "; echo ok"));
            assertThat(r.path("result").path("node").asString()).as(r.toString()).isEqualTo("c");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(b.process().pid())).start().waitFor(5,
                    TimeUnit.SECONDS);
        }
        // B, back, finds the request it was sent withdrawn: it runs nothing.
        Wait.until(10_000, "B to beat again", () -> health(a).path("cluster").path("nodes").size() == 3);
        Wait.until(10_000, "B to refuse the withdrawn request", () -> b.log().contains("not started"));
        assertThat(Files.readAllLines(runs)).containsExactly("run");
    }

    @Test
    void aWorkerOnlyNodeRefusesClientsButAnswersHealth() throws Exception {
        ServerProcess w = node("w", "--role", "worker", "--label", "gpu");
        JsonNode cluster = health(w).path("cluster");
        assertThat(cluster.path("role").asString()).isEqualTo("worker");
        assertThat(cluster.path("labels").get(0).asString()).isEqualTo("gpu");
        try (HttpClient http = HttpClient.newHttpClient()) {
            CompletableFuture<java.net.http.WebSocket> ws = http.newWebSocketBuilder().buildAsync(w.uri(),
                    new java.net.http.WebSocket.Listener() { });
            assertThat(ws).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(
                    java.util.concurrent.ExecutionException.class).havingCause()
                    .isInstanceOf(java.net.http.WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((java.net.http.WebSocketHandshakeException) e).getResponse()
                            .statusCode()).isEqualTo(503));
        }
    }
}
