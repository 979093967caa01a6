// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The client against scripted peers: the original CC Executor's messages, a silent server, the heartbeat. */
class WireCompatIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void serverThatNeverGreetsFailsTheConnectWithinItsBound() throws Exception {
        try (FakeServer fake = new FakeServer()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> CcxClient.connect(fake.uri(),
                    ClientOptions.builder().connectTimeout(Duration.ofMillis(700)).build()))
                    .isInstanceOf(ConnectFailedException.class).hasMessageContaining("connected");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void applicationPingIsAnsweredWithPong() throws Exception {
        try (FakeServer fake = new FakeServer()) {
            try (CcxClient c = connectAsOriginal(fake)) {
                fake.send("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":{\"timestamp\":1.5}}");
                JsonNode pong = Wire.mapper().readTree(fake.next());
                assertThat(pong.get("method").stringValue()).isEqualTo("pong");
                assertThat(pong.has("id")).isFalse();
                assertThat(c.isOpen()).isTrue();
            }
        }
    }

    @Test
    void originalServerWithoutExecutionIdsOrLimits() throws Exception {
        try (FakeServer fake = new FakeServer()) {
            try (CcxClient c = connectAsOriginal(fake)) {
                assertThat(c.limits().maxProcessesPerSession()).isEqualTo(1);
                Lines lines = new Lines();
                CompletableFuture<RunningCommand> started = c.executeAsync(Command.shell("echo hi"), lines);
                JsonNode req = Wire.mapper().readTree(fake.next());
                assertThat(req.get("method").stringValue()).isEqualTo("execute");
                assertThat(req.get("params").get("command").stringValue()).isEqualTo("echo hi");
                long id = req.get("id").longValue();
                fake.send("{\"jsonrpc\":\"2.0\",\"result\":{\"status\":\"started\",\"pid\":4242,\"pgid\":4242},"
                        + "\"id\":" + id + "}");
                fake.send("{\"jsonrpc\":\"2.0\",\"method\":\"process.started\",\"params\":{\"status\":\"started\","
                        + "\"pid\":4242,\"pgid\":4242,\"exit_code\":null,\"error\":null}}");
                fake.send("{\"jsonrpc\":\"2.0\",\"method\":\"process.output\",\"params\":{\"type\":\"stdout\","
                        + "\"data\":\"hi\\n\",\"truncated\":false}}");
                fake.send("{\"jsonrpc\":\"2.0\",\"method\":\"process.completed\",\"params\":{\"status\":"
                        + "\"completed\",\"pid\":4242,\"pgid\":4242,\"exit_code\":0,\"error\":null,"
                        + "\"execution_time\":0.01}}");
                RunningCommand rc = started.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(rc.executionId()).isNull();
                assertThat(rc.pid()).isEqualTo(4242);
                CommandResult r = rc.await(WAIT);
                assertThat(r.stdout()).isEqualTo("hi\n");
                assertThat(r.reason()).isEqualTo(EndReason.EXIT);
                assertThat(r.succeeded()).isTrue();
                assertThat(lines.stdout()).containsExactly("hi");
            }
        }
    }

    /** Connects to {@code fake}, which greets as the original CC Executor does: no limits, no execution ids. */
    private static CcxClient connectAsOriginal(FakeServer fake) throws Exception {
        CompletableFuture<CcxClient> client = CompletableFuture.supplyAsync(
                () -> CcxClient.connect(fake.uri(), ClientOptions.defaults()));
        fake.send("{\"jsonrpc\":\"2.0\",\"method\":\"connected\",\"params\":{\"session_id\":\"s\","
                + "\"version\":\"1.0.0\",\"capabilities\":[\"execute\",\"control\",\"stream\"]}}");
        return client.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
