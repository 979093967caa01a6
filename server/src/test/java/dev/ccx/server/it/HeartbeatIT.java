// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

@ExtendWith(Groups.class)
class HeartbeatIT {

    @Test
    void clientThatNeverAnswersTheAppPingStaysConnectedWhileItsWebSocketAnswersPings() {
        try (TestServer server = TestServer.start(b -> b.pingInterval(Duration.ofSeconds(1)));
             TestClient c = server.connect()) {
            assertThat(c.take(m -> true, 20_000).get("method").stringValue())
                    .as("the first message, even with heartbeats running").isEqualTo("connected");
            // Four intervals: the original closed a client after two unanswered pings.
            for (int i = 0; i < 4; i++) {
                JsonNode ping = c.notification("ping");
                assertThat(ping.get("params").get("timestamp").doubleValue()).isPositive();
            }
            assertThat(c.closed()).isNotDone();
            assertThat(c.run(ExecuteParams.shell("echo still here")).stdout.toString()).isEqualTo("still here\n");
        }
    }
}
