// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Every malformed request gets one specific error response, and the connection it came on keeps working: after
 * each case the same client still runs {@code echo}.
 */
@ExtendWith(Groups.class)
class BadInputIT {
    private static final long WAIT_MS = 10_000;
    private static final AtomicLong MARKERS = new AtomicLong();
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    // ---- JSON-RPC envelope -------------------------------------------------------------------------------------

    @Test
    void invalidJsonIsAParseErrorWithNullId() {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", -32700);
            assertNullId(r);
            assertThat(message(r)).containsIgnoringCase("parse");
            r = onlyError(c, "not json at all", -32700);
            assertNullId(r);
            stillWorks(c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "\"execute\"", "null", "true"})
    void validJsonThatIsNotAnObjectIsAnInvalidRequest(String json) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, json, -32600);
            assertNullId(r);
            assertThat(message(r)).contains("object");
            stillWorks(c);
        }
    }

    @Test
    void batchIsRefusedAsAWholeAndNoneOfItsRequestsRuns() {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "[{\"jsonrpc\":\"2.0\",\"id\":\"in-batch\",\"method\":\"hook_status\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":\"in-batch-2\",\"method\":\"execute\","
                    + "\"params\":{\"command\":\"echo from-batch\"}}]", -32600);
            assertNullId(r);
            assertThat(message(r)).containsIgnoringCase("batch");
            stillWorks(c);
            assertThat(c.pending()).noneMatch(m -> m.toString().contains("from-batch"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1}", "[1]", "true", "false"})
    void idOfTheWrongTypeIsAnInvalidRequestWithNullId(String id) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"hook_status\"}", -32600);
            assertNullId(r);
            assertThat(message(r)).contains("id");
            stillWorks(c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1.0\"", "\"2\"", "\"3.0\"", "2.0", "null"})
    void jsonrpcOtherThan20IsAnInvalidRequest(String version) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":" + version + ",\"id\":\"v-1\",\"method\":\"hook_status\"}",
                    -32600);
            assertThat(idText(r)).isEqualTo("v-1");
            assertThat(message(r)).contains("jsonrpc", "2.0");
            stillWorks(c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"jsonrpc\":\"2.0\",\"id\":\"m-1\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"m-1\",\"method\":5}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"m-1\",\"method\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"m-1\",\"method\":[\"execute\"]}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"m-1\",\"method\":{\"name\":\"execute\"}}"})
    void methodMissingOrNotAStringIsAnInvalidRequest(String json) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, json, -32600);
            assertThat(idText(r)).isEqualTo("m-1");
            assertThat(message(r)).contains("method");
            stillWorks(c);
        }
    }

    @Test
    void unknownMethodIsNamedAndItsIdEchoed() {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":\"u-1\",\"method\":\"frobnicate\"}", -32601);
            assertThat(idText(r)).isEqualTo("u-1");
            assertThat(message(r)).contains("frobnicate");

            r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":12345,\"method\":\"Execute\",\"params\":{}}", -32601);
            assertThat(r.get("id").isNumber()).as(r.toString()).isTrue();
            assertThat(r.get("id").longValue()).isEqualTo(12345);
            assertThat(message(r)).contains("Execute");
            stillWorks(c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"echo hi\"]", "\"echo hi\"", "5", "true"})
    void paramsThatAreNotAnObjectAreInvalidParams(String params) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":\"p-1\",\"method\":\"execute\",\"params\":"
                    + params + "}", -32602);
            assertThat(idText(r)).isEqualTo("p-1");
            assertThat(message(r)).contains("params", "object");
            stillWorks(c);
        }
    }

    // ---- execute params ----------------------------------------------------------------------------------------

    static Stream<Arguments> badExecuteParams() {
        return Stream.of(
                Arguments.of("{}", "params.command"),
                Arguments.of("{\"timeout\":5}", "params.argv"),
                Arguments.of("{\"command\":\"echo a\",\"argv\":[\"echo\",\"a\"]}", "params.argv"),
                Arguments.of("{\"command\":\"\"}", "params.command"),
                Arguments.of("{\"command\":\"   \"}", "params.command"),
                Arguments.of("{\"command\":5}", "params.command"),
                Arguments.of("{\"command\":[\"echo\",\"a\"]}", "params.command"),
                Arguments.of("{\"argv\":\"echo a\"}", "params.argv"),
                Arguments.of("{\"argv\":[\"echo\",1]}", "params.argv[1]"),
                Arguments.of("{\"argv\":[\"echo\",null]}", "params.argv[1]"),
                Arguments.of("{\"argv\":[]}", "params.argv"),
                Arguments.of("{\"argv\":[\"\"]}", "params.argv"),
                Arguments.of("{\"command\":\"echo a\",\"timeout\":-1}", "params.timeout"),
                Arguments.of("{\"command\":\"echo a\",\"timeout\":0}", "params.timeout"),
                Arguments.of("{\"command\":\"echo a\",\"timeout\":\"5\"}", "params.timeout"),
                Arguments.of("{\"command\":\"echo a\",\"idle_timeout\":\"5\"}", "params.idle_timeout"),
                Arguments.of("{\"command\":\"echo a\",\"idle_timeout\":true}", "params.idle_timeout"),
                Arguments.of("{\"command\":\"echo a\",\"idle_timeout\":-3}", "params.idle_timeout"),
                Arguments.of("{\"command\":\"echo a\",\"env\":\"A=B\"}", "params.env"),
                Arguments.of("{\"command\":\"echo a\",\"env\":[\"A=B\"]}", "params.env"),
                Arguments.of("{\"command\":\"echo a\",\"env\":{\"A\":1}}", "params.env.A"),
                Arguments.of("{\"command\":\"echo a\",\"env\":{\"A\":{\"b\":\"c\"}}}", "params.env.A"),
                Arguments.of("{\"command\":\"echo a\",\"cwd\":5}", "params.cwd"),
                Arguments.of("{\"command\":\"echo a\",\"cwd\":\"/nonexistent-dir-xyz/sub\"}", "params.cwd"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badExecuteParams")
    void badExecuteParamsNameTheField(String params, String field) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":\"e-1\",\"method\":\"execute\",\"params\":"
                    + params + "}", -32602);
            assertThat(idText(r)).isEqualTo("e-1");
            assertThat(message(r)).contains(field);
            stillWorks(c);
        }
    }

    @Test
    void cwdThatIsAFileIsInvalidParams(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir.txt"), "x");
        try (TestClient c = connected()) {
            JsonNode r = c.call("execute", new ExecuteParams("echo a", null, null, null, file.toString(), null));
            assertError(r, -32602);
            assertThat(message(r)).contains("params.cwd", file.toString());
            stillWorks(c);
        }
    }

    @Test
    void missingProgramViaArgvIsASpawnFailureNamingIt() {
        try (TestClient c = connected()) {
            JsonNode r = c.call("execute", ExecuteParams.argv(List.of("nonexistent-program-xyz", "arg")));
            assertError(r, -32005);
            assertThat(message(r)).contains("nonexistent-program-xyz");

            r = c.call("execute", ExecuteParams.argv(List.of("/nonexistent/dir/prog-xyz")));
            assertError(r, -32005);
            assertThat(message(r)).contains("/nonexistent/dir/prog-xyz");
            stillWorks(c);
        }
    }

    @Test
    void missingProgramViaShellStartsAndExitsWith127() {
        try (TestClient c = connected()) {
            TestClient.Run run = c.run(ExecuteParams.shell("nonexistent-cmd-xyz"));
            assertThat(run.exitCode()).isEqualTo(127);
            assertThat(run.reason()).isEqualTo("exit");
            assertThat(run.completed.get("status").stringValue()).isEqualTo("failed");
            assertThat(run.stderr.toString()).contains("nonexistent-cmd-xyz").containsIgnoringCase("not found");
            assertThat(run.stdout.toString()).isEmpty();
            stillWorks(c);
        }
    }

    // ---- control -----------------------------------------------------------------------------------------------

    static Stream<Arguments> badControlParams() {
        return Stream.of(
                Arguments.of("{}", "params.type"),
                Arguments.of("{\"type\":\"FROBNICATE\"}", "params.type"),
                Arguments.of("{\"type\":5}", "params.type"),
                Arguments.of("{\"type\":[\"CANCEL\"]}", "params.type"),
                Arguments.of("{\"type\":\"CANCEL\",\"execution_id\":42}", "params.execution_id"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badControlParams")
    void controlWithBadParamsNamesTheField(String params, String field) {
        try (TestClient c = connected()) {
            JsonNode r = onlyError(c, "{\"jsonrpc\":\"2.0\",\"id\":\"c-1\",\"method\":\"control\",\"params\":"
                    + params + "}", -32602);
            assertThat(idText(r)).isEqualTo("c-1");
            assertThat(message(r)).contains(field);
            stillWorks(c);
        }
    }

    @Test
    void controlWithNothingRunningIsNoSuchProcess() {
        try (TestClient c = connected()) {
            for (String type : List.of("CANCEL", "PAUSE", "RESUME")) {
                JsonNode r = c.call("control", Map.of("type", type));
                assertError(r, -32002);
                assertThat(message(r)).containsIgnoringCase("no process");
            }
            stillWorks(c);
        }
    }

    @Test
    void controlWithUnknownExecutionIdIsNoSuchProcess() {
        try (TestClient c = connected()) {
            JsonNode r = c.call("control", Map.of("type", "CANCEL", "execution_id", "deadbeef0000"));
            assertError(r, -32002);
            assertThat(message(r)).contains("deadbeef0000");
            stillWorks(c);
        }
    }

    @Test
    void controlOfAnotherSessionsExecutionIsNoSuchProcess() {
        try (TestClient owner = connected(); TestClient other = connected()) {
            TestClient.Started s = owner.execute(ExecuteParams.argv(List.of("sleep", "30")));
            JsonNode r = other.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            assertError(r, -32002);
            assertThat(message(r)).contains(s.id());
            // It was not touched: its owner can still cancel it.
            JsonNode ok = owner.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            assertThat(ok.get("result").get("status").stringValue()).as(ok.toString()).isEqualTo("canceled");
            assertThat(owner.notification("process.completed", s.id(), WAIT_MS).get("params").get("reason")
                    .stringValue()).isEqualTo("canceled");
            stillWorks(other);
        }
    }

    @Test
    void controlAfterCompletionIsNoSuchProcess() {
        try (TestClient c = connected()) {
            TestClient.Run run = c.run(ExecuteParams.shell("echo done"));
            for (String type : List.of("CANCEL", "PAUSE")) {
                JsonNode r = c.call("control", Map.of("type", type, "execution_id", run.started.id()));
                assertError(r, -32002);
                assertThat(message(r)).contains(run.started.id());
            }
            JsonNode r = c.call("control", Map.of("type", "CANCEL"));
            assertError(r, -32002);
            stillWorks(c);
        }
    }

    // ---- frames ------------------------------------------------------------------------------------------------

    @Test
    void messageOverTheMaximumClosesWith1009AndTheServerKeepsServing() throws Exception {
        String huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"execute\",\"params\":{\"command\":\"echo "
                + "x".repeat(100 * 1024) + "\"}}";
        try (TestServer small = TestServer.start(b -> b.maxMessageBytes(64 * 1024));
             TestClient bystander = TestClient.connect(small.uri())) {
            bystander.notification("connected");

            // A raw client sees exactly what the server sends: its greeting, then a Close frame with 1009, and no
            // response to the oversized request. (The server closes the socket once its Close is sent, so a
            // client still writing the rest of the message may get EPIPE; the Close frame is already on its way.)
            List<RawFrame> frames = RawWs.sendAndCollect(small.uri(), huge.getBytes(StandardCharsets.UTF_8));
            assertThat(frames).as("frames received").isNotEmpty();
            RawFrame last = frames.getLast();
            assertThat(last.opcode()).as("last frame is a Close: %s", frames).isEqualTo(8);
            assertThat(last.closeCode()).as("close code").isEqualTo(1009);
            assertThat(frames.subList(0, frames.size() - 1)).as("before the Close")
                    .allMatch(f -> f.opcode() == 1 && !f.text().contains("\"result\""));

            // The JDK client is closed too (it reports 1009, or, when the server closed while it was still
            // writing, the write error) and its request is not answered.
            try (TestClient big = TestClient.connect(small.uri())) {
                big.notification("connected");
                try {
                    big.sendRaw(huge);
                } catch (RuntimeException e) {
                    // see above: the server may close while the frame is still being written
                }
                int code = big.closed().get(WAIT_MS, TimeUnit.MILLISECONDS)[0];
                assertThat(code).as("close code (%s)", big.closeReason()).isIn(1009, -1);
                assertThat(big.pending()).noneMatch(m -> m.has("result") || m.has("error"));
            }

            stillWorks(bystander);
            try (TestClient fresh = TestClient.connect(small.uri())) {
                fresh.notification("connected");
                stillWorks(fresh);
            }
            // A message just under the limit is still accepted.
            String fits = "x".repeat(60 * 1024);
            TestClient.Run run = bystander.run(ExecuteParams.argv(List.of("echo", fits)));
            assertThat(run.stdout.toString()).isEqualTo(fits + "\n");
        }
    }

    @Test
    void binaryFrameIsAnInvalidRequestAndTheConnectionStaysUsable() {
        try (TestClient c = connected()) {
            List<JsonNode> rs = responsesTo(c, () -> c.sendBinary(
                    "{\"jsonrpc\":\"2.0\",\"id\":\"b-1\",\"method\":\"hook_status\"}".getBytes()));
            assertThat(rs).hasSize(1);
            JsonNode r = rs.getFirst();
            assertError(r, -32600);
            assertNullId(r);
            assertThat(message(r)).containsIgnoringCase("binary");
            stillWorks(c);
        }
    }

    // ---- original behaviour ------------------------------------------------------------------------------------

    @Test
    void requestsWithoutIdAreAnsweredWithNullId() {
        try (TestClient c = connected()) {
            List<JsonNode> rs = responsesTo(c, () -> c.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"hook_status\"}"));
            assertThat(rs).hasSize(1);
            assertNullId(rs.getFirst());
            assertThat(rs.getFirst().get("result").get("enabled").booleanValue()).isFalse();

            rs = responsesTo(c, () -> c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"hook_status\"}"));
            assertThat(rs).hasSize(1);
            assertNullId(rs.getFirst());
            assertThat(rs.getFirst().has("result")).isTrue();

            JsonNode err = onlyError(c, "{\"jsonrpc\":\"2.0\",\"method\":\"frobnicate\"}", -32601);
            assertNullId(err);

            // An execute without id is answered (id null) and runs.
            c.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"execute\",\"params\":{\"command\":\"echo no-id\"}}");
            JsonNode started = c.take(m -> m.has("id"), WAIT_MS);
            assertNullId(started);
            JsonNode result = started.get("result");
            assertThat(result).as(started.toString()).isNotNull();
            Groups.saw(result.get("pgid").longValue());
            StringBuilder out = new StringBuilder();
            JsonNode done = c.drain(result.get("execution_id").stringValue(), WAIT_MS, m -> {
                if ("process.output".equals(m.get("method").stringValue())) {
                    out.append(m.get("params").get("data").stringValue());
                }
            });
            assertThat(out.toString()).isEqualTo("no-id\n");
            assertThat(done.get("exit_code").intValue()).isZero();
            stillWorks(c);
        }
    }

    @Test
    void jsonrpcMayBeOmittedAsTheOriginalAllowed() {
        try (TestClient c = connected()) {
            List<JsonNode> rs = responsesTo(c, () -> c.sendRaw("{\"id\":\"o-1\",\"method\":\"hook_status\"}"));
            assertThat(rs).hasSize(1);
            assertThat(idText(rs.getFirst())).isEqualTo("o-1");
            assertThat(rs.getFirst().has("result")).as(rs.getFirst().toString()).isTrue();
        }
    }

    @Test
    void pongGetsNoResponse() {
        try (TestClient c = connected()) {
            List<JsonNode> rs = responsesTo(c, () -> {
                c.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"pong\"}");
                c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"pong-1\",\"method\":\"pong\",\"params\":{\"timestamp\":1}}");
                c.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"pong\",\"params\":\"junk\"}");
            });
            assertThat(rs).as("responses to pong").isEmpty();
            stillWorks(c);
        }
    }

    @Test
    void hookStatusSaysHooksAreDisabled() {
        try (TestClient c = connected()) {
            JsonNode r = c.call("hook_status", Map.of());
            JsonNode result = r.get("result");
            assertThat(result).as(r.toString()).isNotNull();
            assertThat(result.get("enabled").isBoolean()).isTrue();
            assertThat(result.get("enabled").booleanValue()).isFalse();
            assertThat(result.get("message").stringValue()).isNotBlank();
            assertThat(result.get("hooks_configured").isArray()).isTrue();
            assertThat(result.get("hooks_configured").size()).isZero();
            assertThat(r.get("error")).isNull();
        }
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------

    @Test
    void healthReportsStatusAndCounts() throws Exception {
        try (TestServer s = TestServer.start(b -> b.maxSessions(7).maxProcesses(9));
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            JsonNode h = health(http, s);
            assertThat(h.get("status").stringValue()).isEqualTo("healthy");
            assertThat(h.get("version").stringValue()).isNotBlank();
            assertThat(h.get("active_sessions").intValue()).isZero();
            assertThat(h.get("max_sessions").intValue()).isEqualTo(7);
            assertThat(h.get("running_processes").intValue()).isZero();
            assertThat(h.get("max_processes").intValue()).isEqualTo(9);
            assertThat(h.get("uptime_seconds").isNumber()).as(h.toString()).isTrue();
            double uptime = h.get("uptime_seconds").doubleValue();
            assertThat(uptime).isGreaterThanOrEqualTo(0);

            try (TestClient c = TestClient.connect(s.uri())) {
                c.notification("connected");
                TestClient.Started sleep = c.execute(ExecuteParams.argv(List.of("sleep", "30")));
                h = health(http, s);
                assertThat(h.get("active_sessions").intValue()).isEqualTo(1);
                assertThat(h.get("running_processes").intValue()).isEqualTo(1);
                assertThat(h.get("uptime_seconds").doubleValue()).isGreaterThanOrEqualTo(uptime);

                c.call("control", Map.of("type", "CANCEL", "execution_id", sleep.id()));
                c.notification("process.completed", sleep.id(), WAIT_MS);
                assertThat(health(http, s).get("running_processes").intValue()).isZero();
            }
            int active = Wait.untilValue(5_000, () -> health(http, s).get("active_sessions").intValue(),
                    n -> n == 0);
            assertThat(active).as("active_sessions after the client closed").isZero();
        }
    }

    @Test
    void healthzIsAnOkProbeAndUnknownPathsAre404() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = get(http, server.http("/healthz"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).contains("application/json"));
            assertThat(Wire.mapper().readTree(r.body())).isEqualTo(Wire.mapper().readTree("{\"status\":\"ok\"}"));

            for (String path : List.of("/nope", "/health/x", "/ws", "/index.html", "/dashboard/x.js")) {
                assertThat(get(http, server.http(path)).statusCode()).as(path).isEqualTo(404);
            }
            HttpResponse<String> dashboard = get(http, server.http("/"));
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(dashboard.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                    v -> assertThat(v).contains("script-src 'self'").doesNotContain("unsafe-inline"));
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(server.http("/health"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
        // HTTP errors did not disturb WebSocket clients.
        try (TestClient c = connected()) {
            stillWorks(c);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static TestClient connected() {
        TestClient c = server.connect();
        c.notification("connected");
        return c;
    }

    private static JsonNode health(HttpClient http, TestServer s) {
        HttpResponse<String> r;
        try {
            r = get(http, s.http("/health"));
        } catch (Exception e) {
            throw new AssertionError("GET /health failed", e);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).contains("application/json"));
        return Wire.mapper().readTree(r.body());
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Runs {@code send}, then sends a {@code hook_status} marker request, and returns every response (message with
     * an {@code id} member) received before the marker's. The server answers one connection's requests in order,
     * so this is exactly what {@code send} was answered with: nothing extra, nothing missing.
     */
    private static List<JsonNode> responsesTo(TestClient c, Runnable send) {
        send.run();
        String marker = "marker-" + MARKERS.incrementAndGet();
        c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"" + marker + "\",\"method\":\"hook_status\"}");
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode m = c.take(n -> n.has("id"), WAIT_MS);
            if (marker.equals(idText(m))) {
                assertThat(m.has("result")).as("marker answered: %s", m).isTrue();
                return out;
            }
            JsonNode result = m.get("result");
            if (result != null && result.has("pgid")) {
                Groups.saw(result.get("pgid").longValue());
            }
            out.add(m);
        }
    }

    /** Sends {@code text} and asserts it got exactly one response, an error with {@code code}. */
    private static JsonNode onlyError(TestClient c, String text, int code) {
        List<JsonNode> rs = responsesTo(c, () -> c.sendRaw(text));
        assertThat(rs).as("responses to %s", text).hasSize(1);
        JsonNode r = rs.getFirst();
        assertError(r, code);
        return r;
    }

    private static void assertError(JsonNode r, int code) {
        JsonNode result = r.get("result");
        if (result != null && result.has("pgid")) {
            Groups.saw(result.get("pgid").longValue());
        }
        if (!r.has("error")) {
            fail("expected error " + code + ", got " + r);
        }
        assertThat(r.get("jsonrpc").stringValue()).isEqualTo("2.0");
        assertThat(r.get("error").get("code").intValue()).as(r.toString()).isEqualTo(code);
        assertThat(r.get("error").has("message")).isTrue();
        assertThat(r.has("result")).as(r.toString()).isFalse();
    }

    private static void assertNullId(JsonNode r) {
        assertThat(r.has("id")).as("id member present: %s", r).isTrue();
        assertThat(r.get("id").isNull()).as("id is null: %s", r).isTrue();
    }

    private static String message(JsonNode r) {
        return r.get("error").get("message").stringValue();
    }

    private static String idText(JsonNode r) {
        JsonNode id = r.get("id");
        return id != null && id.isString() ? id.stringValue() : null;
    }

    /** The connection still runs commands. */
    private static void stillWorks(TestClient c) {
        TestClient.Run run = c.run(ExecuteParams.shell("echo still-alive"), WAIT_MS);
        assertThat(run.stdout.toString()).isEqualTo("still-alive\n");
        assertThat(run.exitCode()).isZero();
    }

    /**
     * One frame received by {@link RawWs}.
     *
     * @param opcode  1 text, 8 close, ...
     * @param payload the unmasked payload
     */
    record RawFrame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        @Override
        public String toString() {
            return opcode + ":" + (opcode == 8 ? closeCode() + " " + new String(payload, 2,
                    Math.max(0, payload.length - 2), StandardCharsets.UTF_8) : text());
        }
    }

    /** A minimal WebSocket client over a plain socket, for observing exactly what the server sends. */
    static final class RawWs {
        private RawWs() {
        }

        /**
         * Upgrades, sends {@code text} as one masked text frame (a write error is tolerated), and returns every
         * frame the server sends until it closes the connection or sends a Close frame.
         */
        static List<RawFrame> sendAndCollect(URI uri, byte[] text) throws IOException {
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout((int) WAIT_MS);
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(
                        new BufferedInputStream(socket.getInputStream()));
                out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 101");
                try {
                    out.write(maskedTextFrame(text));
                    out.flush();
                } catch (IOException e) {
                    // the server may already have closed; what it sent is still readable
                }
                List<RawFrame> frames = new ArrayList<>();
                while (true) {
                    int b0 = in.read();
                    if (b0 < 0) {
                        return frames;
                    }
                    int b1 = in.readUnsignedByte();
                    long len = b1 & 0x7f;
                    if (len == 126) {
                        len = in.readUnsignedShort();
                    } else if (len == 127) {
                        len = in.readLong();
                    }
                    assertThat(b1 & 0x80).as("server frames are unmasked").isZero();
                    byte[] payload = new byte[Math.toIntExact(len)];
                    in.readFully(payload);
                    RawFrame f = new RawFrame(b0 & 0x0f, payload);
                    frames.add(f);
                    if (f.opcode() == 8) {
                        return frames;
                    }
                }
            }
        }

        private static String readHead(DataInputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            return head.toString();
        }

        private static byte[] maskedTextFrame(byte[] payload) {
            ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
            f.write(0x81);
            if (payload.length < 126) {
                f.write(0x80 | payload.length);
            } else if (payload.length < 65_536) {
                f.write(0x80 | 126);
                f.write(payload.length >>> 8);
                f.write(payload.length & 0xff);
            } else {
                f.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    f.write((int) (((long) payload.length >>> (8 * i)) & 0xff));
                }
            }
            byte[] mask = {0x1b, 0x2c, 0x3d, 0x4e};
            f.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
            return f.toByteArray();
        }
    }
}
