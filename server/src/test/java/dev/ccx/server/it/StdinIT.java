// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * {@code stdin: true} gives the process a pipe that {@code stdin} requests write to: bytes arrive whole and in
 * order, {@code eof} closes it, and a process that does not read costs the server a bounded wait and bounded
 * memory, never a blocked thread.
 */
@ExtendWith(Groups.class)
class StdinIT {
    private static final long STDIN_TIMEOUT_MS = 1_000;
    private static final int MIB = 1 << 20;
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.stdinTimeout(Duration.ofMillis(STDIN_TIMEOUT_MS)));

    @Test
    void sixtyFourMebibytesThroughCatComeBackWhole() throws Exception {
        int lineBytes = 8 * 1024;
        int lines = 64 * MIB / lineBytes;
        int linesPerRequest = MIB / lineBytes;
        int maxInFlight = 3; // 3 MiB waiting at most: under the server's bound of 4 MiB
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(Map.of("argv", List.of("cat"), "stdin", true));
            Map<Long, Integer> inFlight = new HashMap<>();
            int nextLine = 0;
            long receivedBytes = 0;
            JsonNode completed = null;
            while (completed == null || !inFlight.isEmpty()) {
                while (inFlight.size() < maxInFlight && nextLine < lines) {
                    byte[] chunk = numberedLines(nextLine, linesPerRequest, lineBytes);
                    sent.update(chunk);
                    nextLine += linesPerRequest;
                    long id = c.send("stdin", Map.of("execution_id", s.id(), "data_base64",
                            Base64.getEncoder().encodeToString(chunk), "eof", nextLine == lines));
                    inFlight.put(id, chunk.length);
                }
                JsonNode m = c.next();
                if (m.has("id")) {
                    Integer bytes = inFlight.remove(m.get("id").longValue());
                    assertThat(bytes).as("a response to a stdin request: %s", m).isNotNull();
                    assertThat(m.has("result")).as(m.toString()).isTrue();
                    assertThat(m.get("result").get("written").intValue()).isEqualTo(bytes);
                } else if ("process.output".equals(TestClient.text(m, "method"))) {
                    byte[] data = m.get("params").get("data").stringValue().getBytes(StandardCharsets.UTF_8);
                    received.update(data);
                    receivedBytes += data.length;
                } else if ("process.completed".equals(TestClient.text(m, "method"))) {
                    completed = m.get("params");
                }
            }

            assertThat(completed.get("exit_code").intValue()).as(completed.toString()).isZero();
            assertThat(completed.get("stdout_lines").longValue()).isEqualTo(lines);
            assertThat(receivedBytes).isEqualTo(64L * MIB);
            assertThat(received.digest()).isEqualTo(sent.digest());
        }
    }

    @Test
    void eofMakesTheProcessSeeEndOfFileAndClosesTheStdin() {
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(Map.of("command", "cat; echo end of input; exec sleep 60",
                    "stdin", true));
            JsonNode wrote = c.call("stdin", Map.of("execution_id", s.id(), "data", "hello\n")).get("result");
            assertThat(wrote.get("written").longValue()).isEqualTo(6);
            assertThat(wrote.get("eof").booleanValue()).isFalse();
            JsonNode closed = c.call("stdin", Map.of("execution_id", s.id(), "eof", true)).get("result");
            assertThat(closed.get("written").longValue()).isZero();
            assertThat(closed.get("eof").booleanValue()).isTrue();

            assertThat(output(c, s.id())).isEqualTo("hello\n");
            assertThat(output(c, s.id())).as("cat saw end of file and ended").isEqualTo("end of input\n");
            assertThat(c.listed(s.id()).get("stdin").booleanValue()).isFalse();
            JsonNode again = c.call("stdin", Map.of("execution_id", s.id(), "data", "too late\n"));
            assertThat(TestClient.errorCode(again)).as(again.toString()).isEqualTo(-32010);

            c.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            c.drain(s.id(), 10_000, m -> { });
            JsonNode ended = c.call("stdin", Map.of("execution_id", s.id(), "data", "after the end\n"));
            assertThat(TestClient.errorCode(ended)).as(ended.toString()).isEqualTo(-32010);
        }
    }

    @Test
    void aProcessThatNeverReadsCostsABoundedWaitAndBoundedMemoryAndNoThread() {
        try (TestClient c = server.connect()) {
            // Its timeout starts the server's timer thread now, if no test has yet: the deadlines below need it.
            TestClient.Started s = c.execute(Map.of("argv", List.of("sleep", "60"), "stdin", true, "timeout", 120));
            Set<String> before = serverThreads();
            String mebibyte = "x".repeat(MIB);
            // Four MiB may wait for the process, not one byte more: the fifth is refused at once.
            long sentAt = System.nanoTime();
            List<Long> accepted = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                accepted.add(c.send("stdin", Map.of("execution_id", s.id(), "data", mebibyte)));
            }
            JsonNode full = c.call("stdin", Map.of("execution_id", s.id(), "data", mebibyte));
            assertThat(TestClient.errorCode(full)).as(full.toString()).isEqualTo(-32011);
            // The waiting writes hold no request thread: the connection is answered meanwhile.
            JsonNode listed = c.listed(s.id());
            assertThat(listed.get("stdin").booleanValue()).isTrue();
            assertThat((System.nanoTime() - sentAt) / 1_000_000).as("answered before the stdin timeout, ms")
                    .isLessThan(STDIN_TIMEOUT_MS);

            long written = 0;
            for (long id : accepted) {
                JsonNode timedOut = c.awaitResponse(id);
                assertThat(TestClient.errorCode(timedOut)).as(timedOut.toString()).isEqualTo(-32009);
                written += timedOut.get("error").get("data").get("written").longValue();
            }
            long waitedMillis = (System.nanoTime() - sentAt) / 1_000_000;
            assertThat(waitedMillis).as("ms until the last -32009").isBetween(STDIN_TIMEOUT_MS, STDIN_TIMEOUT_MS
                    + 2_000);
            assertThat(written).as("bytes the pipe took").isPositive().isLessThan(MIB);
            if ("native".equals(server.server().health().spawner())) {
                assertThat(added(before)).as("threads started for the stalled writes").isEmpty();
            }

            long canceledAt = System.nanoTime();
            c.call("control", Map.of("type", "CANCEL", "execution_id", s.id()));
            assertThat(c.drain(s.id(), 5_000, m -> { }).get("reason").stringValue()).isEqualTo("canceled");
            assertThat((System.nanoTime() - canceledAt) / 1_000_000).as("ms from cancel to completion")
                    .isLessThan(2_000);
        }
        // The jdk engine's writer, blocked in the full pipe until the process went, has ended with it.
        assertThat(Wait.untilValue(5_000, StdinIT::blockedInAWrite, Set::isEmpty)).as("threads still writing")
                .isEmpty();
    }

    /** {@code count} lines of {@code lineBytes} bytes each, numbered from {@code first}. */
    private static byte[] numberedLines(int first, int count, int lineBytes) {
        byte[] out = new byte[count * lineBytes];
        for (int i = 0; i < count; i++) {
            byte[] number = String.format("%08d ", first + i).getBytes(StandardCharsets.US_ASCII);
            int at = i * lineBytes;
            System.arraycopy(number, 0, out, at, number.length);
            Arrays.fill(out, at + number.length, at + lineBytes - 1, (byte) ('a' + (first + i) % 26));
            out[at + lineBytes - 1] = '\n';
        }
        return out;
    }

    /** The data of the next {@code process.output} of {@code id}. */
    private static String output(TestClient c, String id) {
        return c.notification("process.output", id, 10_000).get("params").get("data").stringValue();
    }

    /** The server's platform threads, but Jetty's, whose pool grows and shrinks with the connections. */
    private static Set<String> serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ccx-") && !t.getName().startsWith("ccx-http-"))
                .map(Thread::getName).collect(Collectors.toSet());
    }

    /** The server's threads blocked in (or running) a write to a pipe or file. */
    private static Set<String> blockedInAWrite() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("ccx-") && Arrays.stream(e.getValue()).anyMatch(
                        f -> f.getClassName().equals("java.io.FileOutputStream") && f.getMethodName().startsWith("write")))
                .map(e -> e.getKey().getName()).collect(Collectors.toSet());
    }

    /** Threads running now that were not running at {@code before}. */
    private static Set<String> added(Set<String> before) {
        Set<String> now = serverThreads();
        now.removeAll(before);
        return now;
    }
}
