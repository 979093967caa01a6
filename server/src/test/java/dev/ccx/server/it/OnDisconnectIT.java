// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.ProcState;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.Wait;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * What the loss of its connection does to an execution. One started with {@code on_disconnect: kill} (the
 * default) ends with that connection, reason {@code disconnect}, however many others follow it. A kept one runs on,
 * any connection with the same credentials may control it, and once nobody has followed it for its {@code linger}
 * its whole group is ended, reason {@code abandoned}.
 *
 * <p>Every command leaves a background child in its group, so "the group is gone" means all of it.
 */
@ExtendWith(Groups.class)
class OnDisconnectIT {
    private static final String TREE = "sleep 300 & echo started; sleep 300; wait";
    private static final double LINGER = 1.0;
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.maxProcessesPerSession(2));

    @Test
    void aKeptExecutionEndsAbandonedOnlyOnceNobodyHasFollowedItForItsLinger() {
        try (TestClient owner = server.connect(); TestClient other = server.connect()) {
            TestClient.Started s = owner.execute(Map.of("command", TREE, "on_disconnect", "keep", "linger", LINGER));
            owner.notification("process.output", s.id(), 5_000);
            owner.abort();
            Wait.until(5_000, "the server saw the owner go", () -> other.listed(s.id()).get("followers").intValue()
                    == 0);

            // Attached within the linger: the end it was heading for is off, however long it runs now.
            assertThat(other.attach(s.id(), 0).get("result").get("status").stringValue()).isEqualTo("running");
            assertNoCompletion(other, s.id(), (long) (LINGER * 1_500));
            assertThat(new ProcessGroup(s.pgid()).isAlive()).isTrue();

            long detachedAt = System.currentTimeMillis(); // before the request: its linger starts later
            assertThat(other.call("detach", Map.of("execution_id", s.id())).has("result")).isTrue();
            JsonNode ended = Wait.untilValue(10_000, () -> other.listed(s.id()),
                    e -> "completed".equals(TestClient.text(e, "status")));
            assertThat(TestClient.text(ended, "reason")).as(ended.toString()).isEqualTo("abandoned");
            assertThat(Math.round(ended.get("ended_at").doubleValue() * 1_000) - detachedAt)
                    .as("ms from detach to the end").isGreaterThanOrEqualTo((long) (LINGER * 1_000));
            assertThat(new ProcessGroup(s.pgid()).isAlive()).isFalse();
        }
    }

    @Test
    void aKillExecutionEndsWithItsConnectionWhileAKeptOneRunsOnUnderItsCredentials() {
        try (TestClient owner = server.connect(); TestClient other = server.connect()) {
            TestClient.Started killed = owner.execute(Map.of("command", TREE));
            TestClient.Started kept = owner.execute(Map.of("command", TREE, "on_disconnect", "keep"));
            owner.notification("process.output", killed.id(), 5_000);

            // It belongs to its connection and those that follow it: others may watch, not control, until they do.
            assertThat(TestClient.errorCode(other.call("control", Map.of("type", "PAUSE", "execution_id",
                    killed.id())))).isEqualTo(-32002);
            assertThat(other.attach(killed.id(), 0).has("result")).isTrue();
            assertThat(other.call("control", Map.of("type", "PAUSE", "execution_id", killed.id()))
                    .get("result").get("status").stringValue()).isEqualTo("paused");
            owner.notification("process.paused", killed.id(), 5_000); // every follower sees it
            Wait.until(5_000, "the group stopped", () -> ProcState.of(killed.pid()) == 'T');

            owner.abort();
            JsonNode completed = other.drain(killed.id(), 10_000, m -> { });
            assertThat(completed.get("reason").stringValue()).isEqualTo("disconnect");
            assertThat(new ProcessGroup(killed.pgid()).isAlive()).isFalse();

            // The kept one runs on, followed by nobody, and the same credentials cancel it without attaching.
            JsonNode listed = Wait.untilValue(5_000, () -> other.listed(kept.id()),
                    e -> e.get("followers").intValue() == 0);
            assertThat(TestClient.text(listed, "status")).isEqualTo("running");
            assertThat(new ProcessGroup(kept.pgid()).isAlive()).isTrue();
            assertThat(other.call("control", Map.of("type", "CANCEL", "execution_id", kept.id()))
                    .get("result").get("status").stringValue()).isEqualTo("canceled");
            JsonNode ended = Wait.untilValue(10_000, () -> other.listed(kept.id()),
                    e -> "completed".equals(TestClient.text(e, "status")));
            assertThat(TestClient.text(ended, "reason")).isEqualTo("canceled");
            assertThat(new ProcessGroup(kept.pgid()).isAlive()).isFalse();
        }
    }

    /** Fails if {@code process.completed} of {@code id} arrives within {@code millis}. */
    private static void assertNoCompletion(TestClient c, String id, long millis) {
        JsonNode completed;
        try {
            completed = c.notification("process.completed", id, millis);
        } catch (AssertionError expected) {
            return;
        }
        throw new AssertionError("it ended while followed: " + completed);
    }
}
