// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.ProcState;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against a real server on port 0: output, controls, timeouts, close, token, several executions. */
@ExtendWith(Groups.class)
class ClientIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    private static CcxClient connect() {
        return CcxClient.connect(server.uri(), ClientOptions.defaults());
    }

    private static RunningCommand start(CcxClient c, Command cmd, OutputListener l) {
        RunningCommand rc = c.execute(cmd, l);
        Groups.saw(rc.pid());
        return rc;
    }

    @Test
    void echo() {
        try (CcxClient c = connect()) {
            assertThat(c.sessionId()).isNotBlank();
            assertThat(c.limits().maxProcessesPerSession()).isEqualTo(1);
            Lines lines = new Lines();
            CommandResult r = start(c, Command.shell("echo hello"), lines).await(WAIT);
            assertThat(r.succeeded()).isTrue();
            assertThat(r.exitCode()).isZero();
            assertThat(r.reason()).isEqualTo(EndReason.EXIT);
            assertThat(r.stdout()).isEqualTo("hello\n");
            assertThat(r.stderr()).isEmpty();
            assertThat(r.clientTimedOut()).isFalse();
            assertThat(r.outputCut()).isFalse();
            assertThat(lines.stdout()).containsExactly("hello");
            assertThat(lines.lastThread().isVirtual()).isTrue();
        }
    }

    @Test
    void listenersRunOnTheGivenCallbackExecutor() {
        try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "my-callbacks"))) {
            ClientOptions options = ClientOptions.builder().callbackExecutor(pool).build();
            try (CcxClient c = CcxClient.connect(server.uri(), options)) {
                Lines lines = new Lines();
                start(c, Command.shell("echo one; echo two"), lines).await(WAIT);
                assertThat(lines.stdout()).containsExactly("one", "two");
                assertThat(lines.lastThread().getName()).isEqualTo("my-callbacks");
            }
        }
    }

    @Test
    void argvEnvCwdAndExplicitTimeout() {
        try (CcxClient c = connect()) {
            Command cmd = Command.argv("sh", "-c", "echo \"$FOO\"; pwd; exit 3").env(Map.of("FOO", "b a r"))
                    .cwd("/tmp").timeout(Duration.ofSeconds(7));
            CommandResult r = start(c, cmd, null).await(WAIT);
            assertThat(r.stdout()).isEqualTo("b a r\n/tmp\n");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.status()).isEqualTo("failed");
            assertThat(r.succeeded()).isFalse();
            assertThat(r.timeoutUsed()).isEqualTo(Duration.ofSeconds(7));
            assertThat(r.timeoutSource()).isEqualTo("explicit");
        }
    }

    @Test
    void linesComeWholeAndInOrderAcrossChunks() {
        try (CcxClient c = connect()) {
            Lines lines = new Lines();
            CommandResult r = start(c, Command.shell(
                    "for i in $(seq 1 2000); do echo line$i; done; head -c 204800 /dev/zero | tr '\\0' a; echo;"
                            + " printf 'last without newline'"), lines).await(WAIT);
            assertThat(r.succeeded()).isTrue();
            List<String> out = lines.stdout();
            assertThat(out).hasSize(2002);
            for (int i = 0; i < 2000; i++) {
                assertThat(out.get(i)).isEqualTo("line" + (i + 1));
            }
            assertThat(out.get(2000)).hasSize(204800).matches("a+");
            assertThat(out.get(2001)).isEqualTo("last without newline");
            assertThat(r.stdout()).endsWith("a\nlast without newline");
        }
    }

    @Test
    void lineLongerThanServerMaxLineComesWhole() {
        try (CcxClient c = connect()) {
            Lines lines = new Lines();
            CommandResult r = start(c, Command.shell(
                    "echo before; head -c 9000000 /dev/zero | tr '\\0' b; echo; echo after"), lines).await(WAIT);
            assertThat(r.succeeded()).isTrue();
            List<String> out = lines.stdout();
            assertThat(out).hasSize(3);
            assertThat(out.get(0)).isEqualTo("before");
            assertThat(out.get(1).length()).isEqualTo(9_000_000);
            assertThat(out.get(1).chars().allMatch(ch -> ch == 'b')).isTrue();
            assertThat(out.get(2)).isEqualTo("after");
            assertThat(r.stdout()).hasSize(9_000_000 + "before\n\nafter\n".length());
        }
    }

    @Test
    void stderrStaysApart() {
        try (CcxClient c = connect()) {
            Lines lines = new Lines();
            CommandResult r = start(c, Command.shell("echo out1; echo err1 >&2; echo out2; echo err2 >&2"), lines)
                    .await(WAIT);
            assertThat(r.stdout()).isEqualTo("out1\nout2\n");
            assertThat(r.stderr()).isEqualTo("err1\nerr2\n");
            assertThat(lines.stdout()).containsExactly("out1", "out2");
            assertThat(lines.stderr()).containsExactly("err1", "err2");
        }
    }

    @Test
    void outputBeyondTheBufferIsCutFromTheResultButReachesListeners() {
        ClientOptions small = ClientOptions.builder().maxBufferedOutput(4096).build();
        try (CcxClient c = CcxClient.connect(server.uri(), small)) {
            Lines lines = new Lines();
            CommandResult r = start(c, Command.shell("head -c 100000 /dev/zero | tr '\\0' c; echo; echo tail"), lines)
                    .await(WAIT);
            assertThat(r.outputCut()).isTrue();
            assertThat(r.stdout()).hasSize(4096);
            List<String> out = lines.stdout();
            assertThat(out.getLast()).isEqualTo("tail");
            assertThat(out.subList(0, out.size() - 1)).allMatch(s -> s.length() <= 4096);
            assertThat(out.subList(0, out.size() - 1).stream().mapToInt(String::length).sum()).isEqualTo(100_000);
        }
    }

    @Test
    void blockingIterationSeesEveryLineThenEnds() {
        try (CcxClient c = connect()) {
            OutputLines lines = new OutputLines(WAIT);
            RunningCommand rc = start(c, Command.shell("echo a; echo b >&2; echo c; exit 4"), lines);
            List<OutputLine> seen = new ArrayList<>();
            for (OutputLine l : lines) {
                seen.add(l);
            }
            assertThat(seen).filteredOn(l -> l.stream() == Stream.STDOUT).extracting(OutputLine::text)
                    .containsExactly("a", "c");
            assertThat(seen).filteredOn(l -> l.stream() == Stream.STDERR).extracting(OutputLine::text)
                    .containsExactly("b");
            assertThat(rc.await(WAIT).exitCode()).isEqualTo(4);
        }
    }

    @Test
    void closeReleasesTheHttpClientThreads() {
        long before = selectorThreads();
        CcxClient c = connect();
        assertThat(c.run(Command.shell("echo x"), WAIT).succeeded()).isTrue();
        assertThat(selectorThreads()).isGreaterThan(before);
        long t0 = System.nanoTime();
        c.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        // The JDK's selector thread ends shortly after shutdownNow.
        assertThat(Wait.untilValue(5_000, ClientIT::selectorThreads, n -> n <= before)).isLessThanOrEqualTo(before);
    }

    private static long selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().contains("SelectorManager")).count();
    }

    @Test
    void pauseResumeCancel() throws InterruptedException {
        try (CcxClient c = connect()) {
            Lines lines = new Lines();
            RunningCommand rc = start(c, Command.shell("while true; do echo tick; sleep 0.05; done"), lines);
            lines.awaitFirst();
            rc.pause();
            Wait.until(5_000, "group stopped", () -> ProcState.of(rc.pid()) == 'T');
            assertThatThrownBy(rc::pause).isInstanceOfSatisfying(RequestFailedException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_STATE));
            rc.resume();
            Wait.until(5_000, "group running", () -> ProcState.of(rc.pid()) != 'T');
            rc.cancel();
            CommandResult r = rc.await(WAIT);
            assertThat(r.reason()).isEqualTo(EndReason.CANCELED);
            assertThat(r.clientTimedOut()).isFalse();
            assertThat(r.stdout()).startsWith("tick\n");
            rc.cancel(); // idempotent once ended
            assertThat(Groups.survivors(5_000)).isEmpty();
        }
    }

    @Test
    void awaitTimeoutCancelsOnTheServer() {
        try (CcxClient c = connect()) {
            RunningCommand rc = start(c, Command.shell("echo started; sleep 30"), null);
            long t0 = System.nanoTime();
            CommandResult r = rc.await(Duration.ofMillis(700));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(r.clientTimedOut()).isTrue();
            assertThat(r.timedOut()).isTrue();
            assertThat(r.reason()).isEqualTo(EndReason.CANCELED);
            assertThat(r.stdout()).isEqualTo("started\n");
            assertThat(Groups.survivors(5_000)).isEmpty();
            // The session's slot is free again at once.
            assertThat(c.run(Command.shell("echo next"), WAIT).stdout()).isEqualTo("next\n");
        }
    }

    @Test
    void missingProgramIsARequestFailure() {
        try (CcxClient c = connect()) {
            assertThatThrownBy(() -> c.execute(Command.argv("/nonexistent/program")))
                    .isInstanceOfSatisfying(RequestFailedException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SPAWN_FAILED));
            // The connection stays usable.
            assertThat(c.run(Command.shell("echo ok"), WAIT).stdout()).isEqualTo("ok\n");
        }
    }

    @Test
    void closeCancelsRunningExecutionsAndFailsLaterCalls() {
        CcxClient c = connect();
        RunningCommand rc = start(c, Command.shell("sleep 30"), null);
        long t0 = System.nanoTime();
        c.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        assertThat(rc.isDone()).isTrue();
        assertThat(rc.result().join().reason()).isEqualTo(EndReason.CANCELED);
        assertThat(Groups.survivors(5_000)).isEmpty();
        assertThatThrownBy(() -> c.execute(Command.shell("echo no"))).isInstanceOf(ClientClosedException.class);
        assertThatThrownBy(rc::pause).isInstanceOf(ClientClosedException.class);
        c.close(); // idempotent
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void severalExecutionsOnOneConnectionAreRoutedApart() {
        try (TestServer multi = TestServer.start(b -> b.maxProcessesPerSession(4));
             CcxClient c = CcxClient.connect(multi.uri(), ClientOptions.defaults())) {
            assertThat(c.limits().maxProcessesPerSession()).isEqualTo(4);
            List<RunningCommand> running = new ArrayList<>();
            List<Lines> lines = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Lines l = new Lines();
                lines.add(l);
                running.add(start(c, Command.shell("for j in $(seq 1 500); do echo " + i + "-$j; done"), l));
            }
            for (int i = 0; i < 3; i++) {
                CommandResult r = running.get(i).await(WAIT);
                assertThat(r.succeeded()).isTrue();
                List<String> out = lines.get(i).stdout();
                assertThat(out).hasSize(500);
                for (int j = 0; j < 500; j++) {
                    assertThat(out.get(j)).isEqualTo(i + "-" + (j + 1));
                }
            }
        }
    }

    @Test
    void tokenIsSentAsBearer() {
        try (TestServer secured = TestServer.start(b -> b.token("t"))) {
            try (CcxClient c = CcxClient.connect(secured.uri(), ClientOptions.builder().token("t").build())) {
                assertThat(c.run(Command.shell("echo in"), WAIT).stdout()).isEqualTo("in\n");
            }
            assertThatThrownBy(() -> CcxClient.connect(secured.uri(), ClientOptions.defaults()))
                    .isInstanceOfSatisfying(ConnectFailedException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(401));
            assertThatThrownBy(() -> CcxClient.connect(secured.uri(), ClientOptions.builder().token("x").build()))
                    .isInstanceOf(ConnectFailedException.class).hasMessageContaining("401");
        }
    }

    @Test
    void serverPingsDoNotDisturbAnExecution() {
        try (TestServer pinging = TestServer.start(b -> b.pingInterval(Duration.ofMillis(300)));
             CcxClient c = CcxClient.connect(pinging.uri(), ClientOptions.defaults())) {
            // The command's own sleep spans several heartbeats; each gets a pong, none reaches the execution.
            CommandResult r = start(c, Command.shell("sleep 1; echo done"), null).await(WAIT);
            assertThat(r.stdout()).isEqualTo("done\n");
            assertThat(c.isOpen()).isTrue();
            assertThat(c.run(Command.shell("echo again"), WAIT).succeeded()).isTrue();
        }
    }

    @Test
    void nothingListeningFailsToConnect() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> CcxClient.connect(java.net.URI.create("ws://127.0.0.1:" + port + "/ws/mcp"),
                ClientOptions.builder().connectTimeout(Duration.ofSeconds(3)).build()))
                .isInstanceOf(ConnectFailedException.class);
    }

    @Test
    void sessionLimitRefusesTheConnection() {
        try (TestServer one = TestServer.start(b -> b.maxSessions(1));
             CcxClient first = CcxClient.connect(one.uri(), ClientOptions.defaults())) {
            assertThat(first.isOpen()).isTrue();
            assertThatThrownBy(() -> CcxClient.connect(one.uri(), ClientOptions.defaults()))
                    .isInstanceOf(ConnectFailedException.class).hasMessageContaining("-32003");
        }
    }

    @Test
    void estimateAndGenericRequests() {
        try (CcxClient c = connect()) {
            assertThat(c.estimate(Command.shell("echo hi")).timeout()).isPositive();
            assertThat(c.requestAsync("hook_status", Map.of()).join().get("enabled").booleanValue()).isFalse();
            assertThatThrownBy(() -> c.request("no_such_method", Map.of(), Object.class))
                    .isInstanceOfSatisfying(RequestFailedException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.METHOD_NOT_FOUND));
        }
    }
}
