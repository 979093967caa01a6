// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.Wait;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * An ended execution stays replayable: an attach after its {@code process.completed} gets the very notifications a
 * live client saw, from any position the log still holds; a position it no longer holds gets -32008 naming the
 * oldest it does, never a silent gap.
 *
 * <p>The server keeps small logs (64 KiB in memory, 1 MiB on disk), so a few MB of output push the oldest frames
 * out once nobody needs them.
 */
@ExtendWith(Groups.class)
class ReplayIT {
    private static final long WAIT_MS = 20_000;
    /** 2,000 lines of 2,000 bytes: 4 MB, four times what one log keeps. */
    private static final int LINES = 2_000;
    private static final String FLOOD = "seq -w 1 " + LINES + " | sed 's/$/ " + "x".repeat(1_994) + "/'";
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.logMemoryBytes(64 * 1024).logMaxBytes(1 << 20));

    @Test
    void attachAfterCompletionReplaysWhatTheLiveClientSaw() {
        String command = "for i in 1 2 3; do echo out $i; echo err $i >&2; done; exit 3";
        try (TestClient live = server.connect(); TestClient late = server.connect()) {
            TestClient.Run run = live.run(Map.of("command", command));
            String id = run.started.id();

            JsonNode attached = late.attach(id, 0).get("result");
            assertThat(attached.get("execution_id").stringValue()).isEqualTo(id);
            assertThat(attached.get("status").stringValue()).isEqualTo("completed");
            assertThat(attached.get("oldest_seq").longValue()).isEqualTo(1);
            assertThat(attached.get("next_seq").longValue()).isEqualTo(run.messages.size() + 1);
            assertThat(attached.get("pid").longValue()).isEqualTo(run.started.pid());
            assertThat(attached.get("stdin").booleanValue()).isFalse();
            assertThat(attached.get("command").stringValue()).isEqualTo(command);
            assertThat(replay(late, id)).isEqualTo(run.messages);

            // From the middle, on the connection that ran it (it stopped following at process.completed).
            assertThat(live.attach(id, 3).has("result")).isTrue();
            assertThat(replay(live, id)).isEqualTo(run.messages.subList(3, run.messages.size()));
        }
    }

    /** Evicted with no follower (the owner detached at once) or with one that has read everything. */
    @ParameterizedTest(name = "detached: {0}")
    @ValueSource(booleans = {true, false})
    void anEvictedPositionIsRefusedWithTheOldestStillHeld(boolean detached) {
        try (TestClient c = server.connect(); TestClient late = server.connect()) {
            String id;
            if (detached) {
                id = c.execute(Map.of("command", FLOOD, "on_disconnect", "keep")).id();
                assertThat(c.call("detach", Map.of("execution_id", id)).has("result")).isTrue();
                Wait.until(WAIT_MS, "the flood completed", () -> "completed".equals(
                        TestClient.text(c.listed(id), "status")));
            } else {
                TestClient.Run run = c.run(Map.of("command", FLOOD), WAIT_MS);
                assertThat(run.completed.get("stdout_lines").longValue()).isEqualTo(LINES);
                id = run.started.id();
            }

            JsonNode refused = late.attach(id, 0);
            assertThat(TestClient.errorCode(refused)).as(refused.toString()).isEqualTo(-32008);
            JsonNode data = refused.get("error").get("data");
            long oldest = data.get("oldest_seq").longValue();
            long next = data.get("next_seq").longValue();
            assertThat(oldest).isGreaterThan(1).isLessThan(next);
            assertThat(next).isEqualTo(LINES + 3); // started, the lines, completed

            // From the oldest it holds, the rest comes whole: in order up to process.completed.
            JsonNode attached = late.attach(id, oldest - 1).get("result");
            assertThat(attached.get("oldest_seq").longValue()).isEqualTo(oldest);
            List<JsonNode> rest = replay(late, id);
            assertThat(rest.getFirst().get("params").get("seq").longValue()).isEqualTo(oldest);
            for (int i = 1; i < rest.size(); i++) {
                assertThat(rest.get(i).get("params").get("seq").longValue()).isEqualTo(oldest + i);
            }
            assertThat(rest.getLast().get("params").get("stdout_lines").longValue()).isEqualTo(LINES);
        }
    }

    /** Every notification about {@code id} up to its {@code process.completed}. */
    private static List<JsonNode> replay(TestClient c, String id) {
        List<JsonNode> out = new ArrayList<>();
        c.drain(id, WAIT_MS, out::add);
        return out;
    }
}
