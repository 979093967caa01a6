// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * {@code executions} lists what the caller's credentials may see, running ones first (oldest first), then ended
 * ones (newest first), with every field right; ended ones stay for {@code --retain}, at most
 * {@code --max-retained} of them.
 */
@ExtendWith(Groups.class)
class ExecutionsIT {
    private static final String ALPHA = "alpha-token";
    private static final String BETA = "beta-token";

    @Test
    void listsEveryFieldOfWhatItsTokenMaySee() {
        try (TestServer server = TestServer.start(b -> b.tokens(List.of(ALPHA, BETA)).maxProcessesPerSession(2));
             TestClient a = connect(server, ALPHA); TestClient alsoA = connect(server, ALPHA);
             TestClient b = connect(server, BETA)) {
            double before = System.currentTimeMillis() / 1000.0;
            TestClient.Started cat = a.execute(Map.of("argv", List.of("cat"), "stdin", true,
                    "on_disconnect", "keep"));
            TestClient.Started sleep = a.execute(Map.of("command", "sleep 60"));
            TestClient.Started theirs = b.execute(Map.of("argv", List.of("sleep", "60")));
            double after = System.currentTimeMillis() / 1000.0;

            // Another connection with the same token sees both; the other token sees only its own.
            JsonNode listed = alsoA.call("executions", Map.of()).get("result").get("executions");
            assertThat(listed).extracting(e -> e.get("execution_id").stringValue())
                    .containsExactlyInAnyOrder(cat.id(), sleep.id());
            assertThat(b.call("executions", Map.of()).get("result").get("executions"))
                    .extracting(e -> e.get("execution_id").stringValue()).containsExactly(theirs.id());

            JsonNode running = alsoA.listed(cat.id());
            assertThat(running.get("execution_id").stringValue()).matches("[0-9a-f]{32}");
            assertThat(running.get("command").stringValue()).isEqualTo("cat");
            assertThat(running.get("status").stringValue()).isEqualTo("running");
            assertThat(running.get("pid").longValue()).isEqualTo(cat.pid());
            assertThat(running.get("on_disconnect").stringValue()).isEqualTo("keep");
            assertThat(running.get("stdin").booleanValue()).isTrue();
            assertThat(running.get("started_at").doubleValue()).isBetween(before - 0.001, after + 0.001);
            assertThat(running.get("ended_at").isNull()).isTrue();
            assertThat(running.get("reason").isNull()).isTrue();
            assertThat(running.get("exit_code").isNull()).isTrue();
            assertThat(running.get("last_seq").longValue()).isEqualTo(1); // process.started
            assertThat(running.get("oldest_seq").longValue()).isEqualTo(1);
            assertThat(running.get("followers").intValue()).isEqualTo(1);
            assertThat(running.get("paused").booleanValue()).isFalse();
            a.call("control", Map.of("type", "PAUSE", "execution_id", cat.id()));
            assertThat(alsoA.listed(cat.id()).get("paused").booleanValue()).isTrue();
            a.call("control", Map.of("type", "RESUME", "execution_id", cat.id()));
            assertThat(alsoA.listed(cat.id()).get("paused").booleanValue()).isFalse();
            JsonNode other = alsoA.listed(sleep.id());
            assertThat(other.get("command").stringValue()).isEqualTo("sleep 60");
            assertThat(other.get("on_disconnect").stringValue()).isEqualTo("kill");
            assertThat(other.get("stdin").booleanValue()).isFalse();

            a.call("stdin", Map.of("execution_id", cat.id(), "data", "one line\n", "eof", true));
            JsonNode completed = a.drain(cat.id(), 10_000, m -> { });
            JsonNode ended = alsoA.listed(cat.id());
            assertThat(ended.get("status").stringValue()).isEqualTo("completed");
            assertThat(ended.get("reason").stringValue()).isEqualTo("exit");
            assertThat(ended.get("exit_code").intValue()).isZero();
            assertThat(ended.get("stdin").booleanValue()).isFalse();
            assertThat(ended.get("ended_at").doubleValue()).isGreaterThanOrEqualTo(ended.get("started_at")
                    .doubleValue()).isLessThanOrEqualTo(System.currentTimeMillis() / 1000.0);
            assertThat(ended.get("last_seq").longValue()).isEqualTo(completed.get("seq").longValue());
            // Its follower stops following once its writer has handed out process.completed, which the client may
            // see a moment before.
            Wait.until(5_000, "no follower of the ended execution",
                    () -> alsoA.listed(cat.id()).get("followers").intValue() == 0);
            // Running ones come first, then ended ones.
            assertThat(alsoA.call("executions", Map.of()).get("result").get("executions"))
                    .extracting(e -> e.get("execution_id").stringValue()).containsExactly(sleep.id(), cat.id());
        }
    }

    @Test
    void endedExecutionsAreRetainedForTheirTimeAndUpToTheirNumber() {
        try (TestServer server = TestServer.start(b -> b.maxRetained(2).retain(Duration.ofSeconds(2)));
             TestClient c = server.connect()) {
            String first = c.run(Map.of("argv", List.of("echo", "1"))).started.id();
            String second = c.run(Map.of("argv", List.of("echo", "2"))).started.id();
            String third = c.run(Map.of("argv", List.of("echo", "3"))).started.id();

            assertThat(c.call("executions", Map.of()).get("result").get("executions"))
                    .extracting(e -> e.get("execution_id").stringValue()).containsExactly(third, second);
            assertThat(TestClient.errorCode(c.attach(first, 0))).isEqualTo(-32002);
            assertThat(c.attach(second, 0).get("result").get("status").stringValue()).isEqualTo("completed");

            Wait.until(5_000, "the retention of 2 s passed", () -> c.call("executions", Map.of()).get("result")
                    .get("executions").isEmpty());
            assertThat(TestClient.errorCode(c.attach(third, 0))).isEqualTo(-32002);
        }
    }

    private static TestClient connect(TestServer server, String token) {
        return TestClient.connect(server.uri(), Map.of("Authorization", "Bearer " + token));
    }
}
