// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Mistakes in the requests that follow executions from other connections ({@code attach}, {@code detach},
 * {@code stdin}, the {@code execute} options for them): each gets its own error, and disturbs nothing: the
 * connection that made it and the executions it named go on as before.
 *
 * <p>The server has two tokens, and each token is its own credentials: to one, the other's executions do not exist.
 */
@ExtendWith(Groups.class)
class FollowBadInputIT {
    private static final String ALPHA = "alpha-token";
    private static final String BETA = "beta-token";
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.tokens(List.of(ALPHA, BETA))
            .maxProcessesPerSession(2).linger(Duration.ofSeconds(30)).maxLinger(Duration.ofSeconds(60)));

    private record Mistake(String method, Map<String, ?> params, int code) {
    }

    @Test
    void eachMistakeGetsItsOwnErrorAndDisturbsNothing() {
        try (TestClient a = connect(ALPHA); TestClient alsoA = connect(ALPHA); TestClient b = connect(BETA)) {
            TestClient.Started echo = a.execute(Map.of("argv", List.of("cat"), "stdin", true,
                    "on_disconnect", "keep"));
            TestClient.Started plain = a.execute(Map.of("argv", List.of("sleep", "60")));
            // Same credentials, started elsewhere: a may attach to it, and does not follow it.
            TestClient.Started elsewhere = alsoA.execute(Map.of("argv", List.of("sleep", "60"),
                    "on_disconnect", "keep"));
            TestClient.Started theirs = b.execute(Map.of("argv", List.of("sleep", "60"), "on_disconnect", "keep"));
            long last = a.listed(elsewhere.id()).get("last_seq").longValue();

            Map<String, Mistake> mistakes = new LinkedHashMap<>();
            mistakes.put("attach to an unknown id", new Mistake("attach", Map.of("execution_id", unknownId(),
                    "from_seq", 0), -32002));
            mistakes.put("attach to another token's execution", new Mistake("attach", Map.of("execution_id",
                    theirs.id(), "from_seq", 0), -32002));
            mistakes.put("attach to one this connection follows", new Mistake("attach", Map.of("execution_id",
                    echo.id(), "from_seq", 0), -32006));
            mistakes.put("a negative from_seq", new Mistake("attach", Map.of("execution_id", elsewhere.id(),
                    "from_seq", -1), -32602));
            mistakes.put("a from_seq beyond the end", new Mistake("attach", Map.of("execution_id",
                    elsewhere.id(), "from_seq", last + 1), -32602));
            mistakes.put("attach without an id", new Mistake("attach", Map.of("from_seq", 0), -32602));
            mistakes.put("detach from a kill execution of this connection", new Mistake("detach",
                    Map.of("execution_id", plain.id()), -32006));
            mistakes.put("detach from one not followed", new Mistake("detach", Map.of("execution_id",
                    elsewhere.id()), -32002));
            mistakes.put("stdin to an execution without stdin", new Mistake("stdin", Map.of("execution_id",
                    plain.id(), "data", "x"), -32010));
            mistakes.put("stdin to another token's execution", new Mistake("stdin", Map.of("execution_id",
                    theirs.id(), "data", "x"), -32002));
            mistakes.put("more than 1 MiB of data", new Mistake("stdin", Map.of("execution_id", echo.id(),
                    "data", "x".repeat((1 << 20) + 1)), -32602));
            mistakes.put("more than 1 MiB of data_base64", new Mistake("stdin", Map.of("execution_id", echo.id(),
                    "data_base64", "eHh4".repeat((1 << 20) / 3 + 2)), -32602));
            mistakes.put("data and data_base64", new Mistake("stdin", Map.of("execution_id", echo.id(),
                    "data", "x", "data_base64", "eA=="), -32602));
            mistakes.put("data_base64 that is not base64", new Mistake("stdin", Map.of("execution_id", echo.id(),
                    "data_base64", "not base64!"), -32602));
            mistakes.put("stdin with nothing to write", new Mistake("stdin", Map.of("execution_id", echo.id()),
                    -32602));
            mistakes.put("linger without keep", new Mistake("execute", Map.of("command", "echo never",
                    "linger", 5), -32602));
            mistakes.put("linger above max_linger", new Mistake("execute", Map.of("command", "echo never",
                    "on_disconnect", "keep", "linger", 61), -32602));
            mistakes.put("an unknown on_disconnect", new Mistake("execute", Map.of("command", "echo never",
                    "on_disconnect", "sometimes"), -32602));
            for (Map.Entry<String, Mistake> m : mistakes.entrySet()) {
                JsonNode response = a.call(m.getValue().method(), m.getValue().params());
                assertThat(TestClient.errorCode(response)).as("%s: %s", m.getKey(), response)
                        .isEqualTo(m.getValue().code());
            }

            // The connection works and the executions it named run as before: cat still echoes what it is sent.
            assertThat(a.call("stdin", Map.of("execution_id", echo.id(), "data", "still here\n")).has("result"))
                    .isTrue();
            assertThat(a.notification("process.output", echo.id(), 10_000).get("params").get("data").stringValue())
                    .isEqualTo("still here\n");
            // Nothing was started by the refused executes, and every execution still runs with its one follower.
            assertThat(a.call("executions", Map.of()).get("result").get("executions"))
                    .extracting(e -> e.get("execution_id").stringValue() + " " + e.get("status").stringValue()
                            + " " + e.get("followers").intValue())
                    .containsExactlyInAnyOrder(echo.id() + " running 1", plain.id() + " running 1",
                            elsewhere.id() + " running 1");
            JsonNode theirsNow = b.listed(theirs.id());
            assertThat(theirsNow.get("status").stringValue()).isEqualTo("running");
            assertThat(theirsNow.get("followers").intValue()).isEqualTo(1);
            for (TestClient.Started s : List.of(echo, plain, elsewhere)) {
                a.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            }
            b.call("control", Map.of("type", "CANCEL", "execution_id", theirs.id()));
        }
    }

    @Test
    void anotherTokensExecutionCannotBeToldFromAnUnknownOne() {
        try (TestClient a = connect(ALPHA); TestClient b = connect(BETA)) {
            TestClient.Started theirs = b.execute(Map.of("argv", List.of("sleep", "60"), "on_disconnect", "keep"));
            String unknown = unknownId();
            for (String method : List.of("attach", "detach", "stdin", "control")) {
                Map<String, Object> params = Map.of("from_seq", 0, "data", "x", "type", "CANCEL");
                JsonNode toTheirs = a.call(method, with(params, theirs.id()));
                JsonNode toUnknown = a.call(method, with(params, unknown));
                assertThat(TestClient.errorCode(toTheirs)).as(method).isEqualTo(-32002);
                assertThat(toTheirs.get("error").toString().replace(theirs.id(), "ID")).as(method)
                        .isEqualTo(toUnknown.get("error").toString().replace(unknown, "ID"));
            }
            assertThat(a.listed(theirs.id())).isNull();
            assertThat(b.listed(theirs.id()).get("status").stringValue()).isEqualTo("running");
            b.call("control", Map.of("type", "CANCEL", "execution_id", theirs.id()));
        }
    }

    private static TestClient connect(String token) {
        return TestClient.connect(server.uri(), Map.of("Authorization", "Bearer " + token));
    }

    /** An id in the server's format (32 hex digits) that no execution has. */
    private static String unknownId() {
        byte[] b = new byte[16];
        new Random().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Map<String, Object> with(Map<String, Object> params, String executionId) {
        Map<String, Object> out = new LinkedHashMap<>(params);
        out.put("execution_id", executionId);
        return out;
    }
}
