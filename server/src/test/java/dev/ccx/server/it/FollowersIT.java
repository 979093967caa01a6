// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.RawClient;
import dev.ccx.server.testing.SeqFollower;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Several connections follow one execution, each at its own pace: they all get the same notifications in the same
 * order, and one that stops reading holds back neither the process nor the others (its output waits in the log,
 * which by default holds far more than this test writes).
 */
@ExtendWith(Groups.class)
class FollowersIT {
    private static final int LINES = 30_000;
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    @Test
    void followersGetTheSameSequenceAndAStalledOneDoesNotSlowTheOthers() {
        try (TestClient owner = server.connect(); TestClient fast = server.connect();
             RawClient stalled = RawClient.connect(server.uri(), 4096)) {
            // It waits for a line on stdin, so that every follower is in place before the output starts.
            TestClient.Started s = owner.execute(Map.of("command", "read go; seq 1 " + LINES, "stdin", true));
            SeqFollower byOwner = new SeqFollower(s.id());
            SeqFollower byFast = new SeqFollower(s.id());
            SeqFollower byStalled = new SeqFollower(s.id());
            assertThat(fast.attach(s.id(), 0).has("result")).isTrue();
            // Nothing more is read from this one until the others are done: 4 KiB of socket buffer fill at once.
            JsonNode attached = stalled.response(stalled.send("attach", Map.of("execution_id", s.id(),
                    "from_seq", 0)));
            assertThat(attached.has("result")).as(attached.toString()).isTrue();

            assertThat(owner.call("stdin", Map.of("execution_id", s.id(), "data", "go\n")).has("result")).isTrue();
            JsonNode completed = byOwner.readUntilCompleted(owner::next);
            byFast.readUntilCompleted(fast::next);

            assertThat(completed.get("stdout_lines").longValue()).isEqualTo(LINES);
            assertThat(byFast.digest()).isEqualTo(byOwner.digest());
            // Stalled all along, it still gets everything, in the same order.
            byStalled.readUntilCompleted(stalled::next);
            assertThat(byStalled.digest()).isEqualTo(byOwner.digest());
        }
    }
}
