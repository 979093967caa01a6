// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.EndReason;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The connection ends under running executions: nothing waits forever, every handle learns why. */
@ExtendWith(Groups.class)
class ConnectionLossIT {

    @Test
    void droppedSocketFailsOpenHandlesWithConnectionLost() throws Exception {
        try (TestServer server = TestServer.start(); TcpProxy proxy = new TcpProxy(server.uri().getPort())) {
            URI via = URI.create("ws://127.0.0.1:" + proxy.port() + "/ws/mcp");
            CcxClient c = CcxClient.connect(via, ClientOptions.defaults());
            Lines lines = new Lines();
            RunningCommand rc = c.execute(Command.shell("echo up; sleep 30"), lines);
            Groups.saw(rc.pid());
            lines.awaitFirst();
            long t0 = System.nanoTime();
            proxy.drop();
            assertThatThrownBy(() -> rc.await(Duration.ofSeconds(10))).isInstanceOf(ConnectionLostException.class)
                    .hasMessageContaining(rc.executionId()).hasMessageContaining("echo up; sleep 30");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThatThrownBy(() -> rc.result().join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ConnectionLostException.class);
            assertThatThrownBy(() -> c.execute(Command.shell("echo no"))).isInstanceOf(ConnectionLostException.class);
            assertThat(c.isOpen()).isFalse();
            c.close();
            // The server saw the disconnect and ended the group itself.
            assertThat(Groups.survivors(5_000)).isEmpty();
        }
    }

    @Test
    void requestTimeoutFailsTheCallAndALateStartIsCanceled() throws Exception {
        try (TestServer server = TestServer.start(); TcpProxy proxy = new TcpProxy(server.uri().getPort())) {
            URI via = URI.create("ws://127.0.0.1:" + proxy.port() + "/ws/mcp");
            ClientOptions quick = ClientOptions.builder().requestTimeout(Duration.ofMillis(500)).build();
            try (CcxClient c = CcxClient.connect(via, quick)) {
                proxy.holdServerToClient();
                assertThatThrownBy(() -> c.execute(Command.shell("echo late; sleep 30")))
                        .isInstanceOf(CcxTimeoutException.class).hasMessageContaining("execute");
                // The server did start it; once its response gets through, the client ends what nobody owns.
                proxy.release();
                dev.ccx.server.testing.Wait.until(5_000, "the late execution to be canceled",
                        () -> server.server().health().runningProcesses() == 0);
                assertThat(c.run(Command.shell("echo next"), Duration.ofSeconds(10)).stdout()).isEqualTo("next\n");
            }
        }
    }

    @Test
    void serverStoppedMidRunEndsEveryHandleWithinABound() {
        TestServer server = TestServer.start();
        try (CcxClient c = CcxClient.connect(server.uri(), ClientOptions.defaults())) {
            RunningCommand rc = c.execute(Command.shell("sleep 30"));
            Groups.saw(rc.pid());
            long t0 = System.nanoTime();
            server.close();
            // A server that stops cleanly reports the end (reason shutdown) before it closes the connection;
            // either way the handle ends, and nothing after it can be sent.
            try {
                CommandResult r = rc.result().get(10, TimeUnit.SECONDS);
                assertThat(r.reason()).isEqualTo(EndReason.SHUTDOWN);
            } catch (Exception e) {
                assertThat(e.getCause()).isInstanceOf(ConnectionLostException.class);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            dev.ccx.server.testing.Wait.until(5_000, "client notices the close", () -> !c.isOpen());
            assertThatThrownBy(() -> c.execute(Command.shell("echo no"))).isInstanceOf(ConnectionLostException.class)
                    .hasMessageContaining("closed by the server");
        }
    }
}
