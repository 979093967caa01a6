// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.server.process.Engines;
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
        assertThat(c.tokens()).isEmpty();
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
        assertThat(c.tokens()).containsExactly("s3cret");
    }

    @Test
    void loopbackHostsNeedNoToken() {
        assertThat(builder().host("127.0.0.1").build().tokens()).isEmpty();
        assertThat(builder().host("localhost").build().tokens()).isEmpty();
        assertThat(builder().host("::1").build().tokens()).isEmpty();
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
        assertThat(c.tokens()).containsExactly("t0k");
        assertThat(c.allowedCommands()).containsExactlyInAnyOrder("echo", "ls");
    }

    @Test
    void spawnerAndLogLimitsComeFromOptionsOrTheEnvironment() {
        ServerConfig defaults = builder().build();
        assertThat(defaults.spawner()).isEqualTo(Engines.Choice.AUTO);
        assertThat(defaults.logMemoryBytes()).isEqualTo(512 * 1024);
        assertThat(defaults.logMaxBytes()).isEqualTo(1L << 30);
        assertThat(defaults.logTotalBytes()).isEqualTo(8L << 30);

        ServerConfig env = builder().environment(Map.of("CCX_SPAWNER", "JDK", "CCX_LOG_MEMORY", "1M",
                "CCX_LOG_MAX", "64MiB", "CCX_LOG_TOTAL", "2g")).build();
        assertThat(env.spawner()).isEqualTo(Engines.Choice.JDK);
        assertThat(env.logMemoryBytes()).isEqualTo(1 << 20);
        assertThat(env.logMaxBytes()).isEqualTo(64L << 20);
        assertThat(env.logTotalBytes()).isEqualTo(2L << 30);
    }

    @Test
    void sizesAreWholeBytesOrKmgtAndBadOnesNameTheSetting() {
        assertThat(ServerConfig.parseBytes("x", "4096")).isEqualTo(4096);
        assertThat(ServerConfig.parseBytes("x", " 2k ")).isEqualTo(2048);
        assertThat(ServerConfig.parseBytes("x", "3KB")).isEqualTo(3072);
        assertThat(ServerConfig.parseBytes("x", "1T")).isEqualTo(1L << 40);
        for (String bad : new String[] {"", "1.5G", "-1", "G", "12 apples", "99999999999T"}) {
            assertThatThrownBy(() -> ServerConfig.parseBytes("--log-max", bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--log-max");
        }
        assertThatThrownBy(() -> builder().environment(Map.of("CCX_SPAWNER", "fork")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto, native or jdk");
        refused(b -> b.logMaxBytes(1000), "log_max");
        refused(b -> b.logMemoryBytes(1 << 20).logMaxBytes(1 << 20).logTotalBytes(1 << 19), "log_total");
        refused(b -> b.logMemoryBytes(1000), "log_memory");
    }

    @Test
    void clusterOptionsComeFromOptionsOrTheEnvironmentAndBadOnesNameTheSetting() {
        assertThat(ServerConfig.builder().build().cluster()).isNull();
        ServerConfig c = ServerConfig.builder().environment(Map.of("CCX_CLUSTER", "redis://10.0.0.5:6379",
                "CCX_ROLE", "gateway", "CCX_LABELS", "gpu, eu", "CCX_NODE_ID", "n1", "CCX_CLUSTER_FALLBACK", "local",
                "CCX_LEASE", "6")).build();
        assertThat(c.cluster().url()).isEqualTo("redis://10.0.0.5:6379");
        assertThat(c.cluster().role()).isEqualTo(dev.ccx.server.cluster.ClusterSettings.Role.GATEWAY);
        assertThat(c.cluster().labels()).containsExactly("gpu", "eu");
        assertThat(c.cluster().nodeId()).isEqualTo("n1");
        assertThat(c.cluster().fallbackLocal()).isTrue();
        assertThat(c.cluster().lease()).isEqualTo(Duration.ofSeconds(6));
        assertThat(ServerConfig.builder().cluster("redis://r:1").build().cluster().nodeId())
                .matches("[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{6}");
        refused(b -> b.cluster("http://r:1"), "cluster", "redis://");
        refused(b -> b.cluster("redis://r:1").labels(java.util.List.of("no spaces")), "label", "no spaces");
        refused(b -> b.cluster("redis://r:1").nodeId("a/b"), "node_id");
        refused(b -> b.cluster("redis://r:1").lease(Duration.ofSeconds(2)), "lease");
        refused(b -> b.clusterFallback("maybe"), "cluster_fallback");
        refused(b -> b.environment(Map.of("CCX_ROLE", "boss")), "role", "boss");
    }
}
