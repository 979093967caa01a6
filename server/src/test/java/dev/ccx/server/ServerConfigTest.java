// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Configuration is validated when built, and every refusal names the setting. */
class ServerConfigTest {

    private static ServerConfig.Builder builder() {
        return ServerConfig.builder().port(0);
    }

    private static void refused(UnaryOperator<ServerConfig.Builder> change, String... messageParts) {
        assertThatThrownBy(() -> change.apply(builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void defaultsBuildAndBindToLoopback() {
        ServerConfig c = ServerConfig.builder().build();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8003);
        assertThat(c.token()).isNull();
        assertThat(c.allowedOrigins()).isEmpty();
        assertThat(c.allowedCommands()).isEmpty();
        assertThat(c.maxProcessesPerSession()).isEqualTo(1);
    }

    @Test
    void wildcardHostWithoutTokenIsRefusedNamingTheToken() {
        refused(b -> b.host("0.0.0.0"), "0.0.0.0", "token");
        refused(b -> b.host("0.0.0.0").token("   "), "token");
        refused(b -> b.host("::"), "token");
    }

    @Test
    void wildcardHostWithTokenBuilds() {
        ServerConfig c = builder().host("0.0.0.0").token("s3cret").build();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.token()).isEqualTo("s3cret");
    }

    @Test
    void loopbackHostsNeedNoToken() {
        assertThat(builder().host("127.0.0.1").build().token()).isNull();
        assertThat(builder().host("localhost").build().token()).isNull();
        assertThat(builder().host("::1").build().token()).isNull();
    }

    @Test
    void badPortIsRefusedNamingTheField() {
        refused(b -> b.port(-1), "port", "-1");
        refused(b -> b.port(65_536), "port", "65536");
        assertThat(builder().port(65_535).build().port()).isEqualTo(65_535);
    }

    @Test
    void nonPositiveLimitsAreRefusedNamingTheField() {
        refused(b -> b.maxSessions(0), "max_sessions", "0");
        refused(b -> b.maxSessions(-5), "max_sessions");
        refused(b -> b.maxProcesses(0), "max_processes", "0");
        refused(b -> b.maxProcessesPerSession(0), "max_processes_per_session", "0");
        refused(b -> b.maxMessageBytes(100), "max_message_bytes", "100");
        refused(b -> b.maxLineBytes(10), "max_line_bytes");
        refused(b -> b.killGrace(Duration.ofSeconds(-1)), "kill_grace");
        refused(b -> b.pingInterval(Duration.ZERO), "ping_interval");
        refused(b -> b.sendTimeout(Duration.ofMillis(1)), "send_timeout");
        refused(b -> b.outboundBytes(1024), "outbound_bytes");
    }

    @Test
    void maxProcessesRefusalDoesNotBlameThePerSessionLimit() {
        assertThatThrownBy(() -> builder().maxProcesses(0).build())
                .hasMessageStartingWith("max_processes:");
    }

    @Test
    void environmentValuesAreValidatedNamingTheVariable() {
        assertThatThrownBy(() -> builder().environment(Map.of("MAX_SESSIONS", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_SESSIONS");
        refused(b -> b.environment(Map.of("MAX_SESSIONS", "0")), "max_sessions");
        refused(b -> b.environment(Map.of("CCX_HOST", "0.0.0.0")), "token");
        ServerConfig c = builder().environment(Map.of("CCX_HOST", "0.0.0.0", "CCX_TOKEN", "t0k",
                "ALLOWED_COMMANDS", "echo, ls")).port(0).build();
        assertThat(c.token()).isEqualTo("t0k");
        assertThat(c.allowedCommands()).containsExactlyInAnyOrder("echo", "ls");
    }
}
