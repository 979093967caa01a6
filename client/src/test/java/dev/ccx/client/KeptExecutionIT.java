// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kept executions through the client: they outlive connections, and no line is lost or repeated. */
@ExtendWith(Groups.class)
class KeptExecutionIT {
    private static final int LINES = 200_000;
    /** About a second of output, so the drops fall while it runs as well as after its end. */
    private static final String COUNT = "awk 'BEGIN { for (i = 1; i <= " + LINES + "; i++) { print i; "
            + "if (i % 20000 == 0) system(\"sleep 0.1\") } }'";

    /** Checks that lines are 1, 2, 3... in order, and drops the TCP connection at the given line numbers. */
    private static final class Counting implements OutputListener {
        private final List<Integer> dropAt;
        private final TcpProxy proxy;
        final AtomicLong count = new AtomicLong();
        volatile String wrong;

        Counting(List<Integer> dropAt, TcpProxy proxy) {
            this.dropAt = dropAt;
            this.proxy = proxy;
        }

        @Override
        public void line(Stream stream, String line) {
            long n = count.incrementAndGet();
            if (wrong == null && !line.equals(Long.toString(n))) {
                wrong = "line " + n + " was \"" + line + "\"";
            }
            if (dropAt.contains((int) n)) {
                proxy.drop(); // no close frame: both sides just see the TCP connection end
            }
        }
    }

    @Test
    void threeAbruptDropsInA200000LineRunLoseAndRepeatNothing() throws Exception {
        Random random = new Random();
        List<Integer> dropAt = List.of(1 + random.nextInt(60_000), 70_000 + random.nextInt(60_000),
                140_000 + random.nextInt(59_000));
        try (TestServer server = TestServer.start(); TcpProxy proxy = new TcpProxy(server.uri().getPort());
             CcxClient c = CcxClient.connect(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws/mcp"))) {
            Counting lines = new Counting(dropAt, proxy);
            RunningCommand rc = c.execute(Command.shell(COUNT).keep(Duration.ofSeconds(60)), lines);
            Groups.saw(rc.pid());
            CommandResult r = rc.await(Duration.ofSeconds(60));
            assertThat(lines.wrong).as("drops at " + dropAt).isNull();
            assertThat(lines.count.get()).as("drops at " + dropAt).isEqualTo(LINES);
            assertThat(r.reason()).isEqualTo(EndReason.EXIT);
            assertThat(r.exitCode()).isZero();
            assertThat(proxy.connections()).as("one connection, then one per drop").isEqualTo(4);
            assertThat(c.isOpen()).isTrue();
            assertThat(c.run(Command.shell("echo still here"), Duration.ofSeconds(10)).stdout())
                    .isEqualTo("still here\n");
        }
    }

    @Test
    void aDetachedExecutionRunsOnAndAnotherClientTakesItUpExactlyWhereItWasLeft() throws Exception {
        try (TestServer server = TestServer.start(); CcxClient a = CcxClient.connect(server.uri());
             CcxClient b = CcxClient.connect(server.uri())) {
            Lines first = new Lines();
            RunningCommand rc = a.execute(Command.shell("for i in $(seq 1 5); do echo $i; done; read x; "
                    + "for i in $(seq 6 10); do echo $i; done").keep(null).stdin(), first);
            Groups.saw(rc.pid());
            Wait.until(10_000, "five lines", () -> first.stdout().size() == 5);
            rc.detach();
            assertThatThrownBy(() -> rc.await(Duration.ofSeconds(5))).isInstanceOf(DetachedException.class);
            long last = rc.lastSeq();
            ExecutionList.ExecutionInfo info = b.executions().stream()
                    .filter(e -> e.executionId().equals(rc.executionId())).findFirst().orElseThrow();
            assertThat(info.status()).isEqualTo("running");
            assertThat(info.followers()).isZero();

            Lines rest = new Lines();
            RunningCommand again = b.attach(rc.executionId(), last, rest);
            try (OutputStream in = again.stdin()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            CommandResult r = again.await(Duration.ofSeconds(10));
            assertThat(r.reason()).isEqualTo(EndReason.EXIT);
            List<String> all = new ArrayList<>(first.stdout());
            all.addAll(rest.stdout());
            assertThat(all).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        }
    }

    @Test
    void megabytesThroughStdinComeBackWhole() throws Exception {
        try (TestServer server = TestServer.start(); CcxClient c = CcxClient.connect(server.uri())) {
            Counting back = new Counting(List.of(), null);
            RunningCommand rc = c.execute(Command.argv("cat").stdin(), back);
            Groups.saw(rc.pid());
            try (OutputStream in = rc.stdin()) {
                for (int i = 1; i <= 500_000; i++) { // 3.4 MB, in requests of 64 KiB, 1 MiB in flight at most
                    in.write((i + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
            CommandResult r = rc.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).isZero();
            assertThat(back.wrong).isNull();
            assertThat(back.count.get()).isEqualTo(500_000);
        }
    }

    @Test
    void closingTheClientDetachesKeptExecutionsAndCancelsTheOthers() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxProcessesPerSession(2));
             CcxClient other = CcxClient.connect(server.uri())) {
            CcxClient c = CcxClient.connect(server.uri());
            RunningCommand kept = c.execute(Command.shell("sleep 30").keep(Duration.ofSeconds(30)));
            RunningCommand killed = c.execute(Command.shell("sleep 30"));
            Groups.saw(kept.pid());
            Groups.saw(killed.pid());
            c.close();
            assertThat(killed.await(Duration.ofSeconds(5)).reason()).isEqualTo(EndReason.CANCELED);
            assertThatThrownBy(() -> kept.await(Duration.ofSeconds(5))).isInstanceOf(DetachedException.class);
            ExecutionList.ExecutionInfo info = other.executions().stream()
                    .filter(e -> e.executionId().equals(kept.executionId())).findFirst().orElseThrow();
            assertThat(info.status()).isEqualTo("running");
            other.request("control", java.util.Map.of("type", "CANCEL", "execution_id", kept.executionId()),
                    Object.class);
            Wait.until(10_000, "the kept execution to end", () -> other.executions().stream()
                    .anyMatch(e -> e.executionId().equals(kept.executionId()) && e.status().equals("completed")));
        }
    }

    @Test
    void aListenerThatFallsBehindStopsTheReadingNotTheMemory() throws Exception {
        ClientOptions small = ClientOptions.builder().maxQueuedCallbacks(100).build();
        try (TestServer server = TestServer.start(); CcxClient c = CcxClient.connect(server.uri(), small);
             CcxClient watcher = CcxClient.connect(server.uri())) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong seen = new AtomicLong();
            RunningCommand rc = c.execute(Command.shell("seq 1 100000").keep(null), (stream, line) -> {
                seen.incrementAndGet();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Groups.saw(rc.pid());
            // The command runs to its end on the server (its log holds the output) ...
            Wait.until(20_000, "the command to end on the server", () -> watcher.executions().stream()
                    .anyMatch(e -> e.executionId().equals(rc.executionId()) && e.status().equals("completed")));
            // ... while the client, its listener stuck on the first line, has read only about its bound.
            assertThat(rc.lastSeq()).as("notifications read while the listener is stuck").isLessThan(1_000);
            release.countDown();
            assertThat(rc.await(Duration.ofSeconds(30)).exitCode()).isZero();
            assertThat(seen.get()).isEqualTo(100_000);
        }
    }
}
