// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code idempotency_key} on a single server: a second execute with the key follows the first execution instead of
 * starting another, whatever connection sends it; other credentials' keys are their own; cluster-only options are
 * refused with a specific error.
 */
@ExtendWith(Groups.class)
class IdempotencyIT {
    private static final long WAIT_MS = 10_000;
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    @TempDir
    Path dir;

    @Test
    void aRepeatedKeyFollowsTheFirstExecutionAndStartsNothing() throws Exception {
        Path runs = dir.resolve("runs");
        String key = "job-" + UUID.randomUUID();
        // It runs until its stdin ends, so it is still running when the key comes again.
        Map<String, Object> p = Map.of("command", "echo run >> " + runs + "; echo hi; read line", "stdin", true,
                "idempotency_key", key);
        try (TestClient first = server.connect(); TestClient second = server.connect()) {
            JsonNode r1 = first.call("execute", p).get("result");
            assertThat(r1.has("duplicate")).isFalse();
            Groups.saw(r1.get("pgid").asLong());
            JsonNode r2 = second.call("execute", p).get("result");
            assertThat(r2.get("execution_id").asString()).isEqualTo(r1.get("execution_id").asString());
            assertThat(r2.get("duplicate").asBoolean()).isTrue();
            assertThat(r2.get("status").asString()).isEqualTo("started");
            assertThat(first.call("stdin", Map.of("execution_id", r1.get("execution_id").asString(), "eof", true))
                    .has("result")).isTrue();
            // The second connection follows it from its first notification.
            StringBuilder out = new StringBuilder();
            List<String> methods = new java.util.ArrayList<>();
            second.drain(r1.get("execution_id").asString(), WAIT_MS, m -> {
                methods.add(TestClient.text(m, "method"));
                if ("process.output".equals(TestClient.text(m, "method"))) {
                    out.append(m.get("params").get("data").asString());
                }
            });
            assertThat(methods.getFirst()).isEqualTo("process.started");
            assertThat(out.toString()).isEqualTo("hi\n");
            first.drain(r1.get("execution_id").asString(), WAIT_MS, m -> { });
            // Once it has ended, the key still names it.
            JsonNode r3 = first.call("execute", p).get("result");
            assertThat(r3.get("execution_id").asString()).isEqualTo(r1.get("execution_id").asString());
            assertThat(r3.get("status").asString()).isEqualTo("completed");
        }
        assertThat(Files.readAllLines(runs)).containsExactly("run");
    }

    @Test
    void badKeysAndClusterOnlyOptionsGetSpecificErrors() {
        try (TestClient c = server.connect()) {
            JsonNode bad = c.call("execute", Map.of("command", "true", "idempotency_key", "has space"));
            assertThat(TestClient.errorCode(bad)).isEqualTo(-32602);
            assertThat(bad.get("error").get("message").asString()).contains("idempotency_key");
            JsonNode tooLong = c.call("execute", Map.of("command", "true", "idempotency_key", "k".repeat(129)));
            assertThat(TestClient.errorCode(tooLong)).isEqualTo(-32602);
            JsonNode notString = c.call("execute", Map.of("command", "true", "idempotency_key", 42));
            assertThat(TestClient.errorCode(notString)).isEqualTo(-32602);
            JsonNode require = c.call("execute", Map.of("command", "true", "require", List.of("gpu")));
            assertThat(TestClient.errorCode(require)).isEqualTo(-32602);
            assertThat(require.get("error").get("message").asString()).contains("--cluster");
            JsonNode badLabel = c.call("execute", Map.of("command", "true", "require", List.of("a b")));
            assertThat(TestClient.errorCode(badLabel)).isEqualTo(-32602);
        }
    }
}
