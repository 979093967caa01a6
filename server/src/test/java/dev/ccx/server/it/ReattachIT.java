// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.RawClient;
import dev.ccx.server.testing.SeqFollower;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A kept execution outlives the connections that follow it: a client that loses its connection, or detaches,
 * attaches again from the last {@code seq} it received and gets every later notification exactly once, in order.
 *
 * <p>The commands print their lines and then wait ({@code exec sleep}), so the execution is still running at every
 * drop however fast {@code seq} is: a disconnect that ended it would show, and the test ends it with CANCEL.
 */
@ExtendWith(Groups.class)
class ReattachIT {
    private static final int LINES = 200_000;
    private static final int RECEIVE_BUFFER = 1 << 16;
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    @Test
    void threeAbruptDropsLoseNothingAndRepeatNothing() {
        int[] drops = new Random().ints(1, LINES).distinct().limit(3).sorted().toArray();
        try {
            dropAndReattach(drops);
        } catch (AssertionError e) {
            throw new AssertionError("drops after lines " + Arrays.toString(drops) + ": " + e.getMessage(), e);
        }
    }

    /** Follows the output, dropping the connection after each of the lines {@code drops}. */
    private static void dropAndReattach(int[] drops) {
        RawClient c = RawClient.connect(server.uri(), RECEIVE_BUFFER);
        try {
            JsonNode started = c.response(c.send("execute", Map.of("command", "seq 1 " + LINES + " && exec sleep 60",
                    "on_disconnect", "keep"))).get("result");
            Groups.saw(started.get("pgid").longValue());
            String id = started.get("execution_id").stringValue();
            SeqFollower follower = new SeqFollower(id);
            for (int drop : drops) {
                follower.readUntilLine(c::next, drop);
                c.close(); // a TCP reset: no close frame, and whatever the server had in flight is lost
                c = RawClient.connect(server.uri(), RECEIVE_BUFFER);
                JsonNode attached = attach(c::next, c.send("attach", Map.of("execution_id", id,
                        "from_seq", follower.lastSeq())), follower);
                assertThat(attached.get("result").get("status").stringValue()).as(attached.toString())
                        .isEqualTo("running");
            }
            follower.readUntilLine(c::next, LINES);
            c.send("control", Map.of("type", "CANCEL", "execution_id", id));
            JsonNode completed = follower.readUntilCompleted(c::next);

            assertThat(completed.get("reason").stringValue()).isEqualTo("canceled");
            assertThat(completed.get("stdout_lines").longValue()).isEqualTo(LINES);
            assertThat(follower.lines()).isEqualTo(LINES);
        } finally {
            c.close();
        }
    }

    @Test
    void detachThenAttachFromLastSeqContinuesExactly() {
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(Map.of("command", "seq 1 50000 && exec sleep 60",
                    "on_disconnect", "keep"));
            SeqFollower follower = new SeqFollower(s.id());
            follower.readUntilLine(c::next, 1_000);

            JsonNode detached = response(c::next, c.send("detach", Map.of("execution_id", s.id())),
                    follower::accept);
            assertThat(detached.get("result").get("execution_id").stringValue()).isEqualTo(s.id());
            assertThat(detached.get("result").get("status").stringValue()).isEqualTo("detached");
            // last_seq is the last notification sent before the response, and nothing of it follows the response.
            assertThat(detached.get("result").get("last_seq").longValue()).isEqualTo(follower.lastSeq());
            JsonNode attached = attach(c::next, c.send("attach", Map.of("execution_id", s.id(),
                    "from_seq", follower.lastSeq())), follower);
            assertThat(attached.get("result").get("next_seq").longValue()).isGreaterThan(follower.lastSeq());

            follower.readUntilLine(c::next, 50_000);
            c.send("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            assertThat(follower.readUntilCompleted(c::next).get("stdout_lines").longValue()).isEqualTo(50_000);
        }
    }

    @Test
    void attachAndDetachSentTogetherAreBothAnswered() {
        try (TestClient owner = server.connect(); TestClient other = server.connect()) {
            TestClient.Started s = owner.execute(Map.of("command", "exec sleep 60", "on_disconnect", "keep"));
            // Back to back, the detach is handled before the writer has sent the attach result out of the cursor.
            for (int round = 0; round < 20; round++) {
                long attach = other.send("attach", Map.of("execution_id", s.id(), "from_seq", 0));
                long detach = other.send("detach", Map.of("execution_id", s.id()));
                assertThat(other.awaitResponse(attach).has("result")).as("round %d", round).isTrue();
                assertThat(other.awaitResponse(detach).get("result").get("status").stringValue())
                        .isEqualTo("detached");
            }
            owner.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
        }
    }

    /**
     * Reads up to the response to an {@code attach} and returns it: no notification of the execution may come
     * before it (those after it are the follower's to check).
     */
    private static JsonNode attach(Supplier<JsonNode> next, long request, SeqFollower follower) {
        return response(next, request, m -> assertThat(follower.isAbout(m))
                .as("a notification before the attach result: %s", m).isFalse());
    }

    /** Reads up to the response {@code id} and returns it; every message before it goes to {@code before}. */
    private static JsonNode response(Supplier<JsonNode> next, long id, Consumer<JsonNode> before) {
        while (true) {
            JsonNode m = next.get();
            if (m == null) {
                throw new AssertionError("the connection closed before the response to request " + id);
            }
            if (m.has("id") && m.get("id").longValue() == id) {
                return m;
            }
            before.accept(m);
        }
    }
}
