// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ClusterHealth;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Health;
import dev.ccx.protocol.TaskRun;
import dev.ccx.protocol.TaskStats;
import java.net.URI;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthHistoryTextTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    /** 2023-11-14 22:13:20 UTC. */
    private static final double T = 1_700_000_000.0;

    @Test
    void historyIsOneAlignedRowPerRunWithDashesForWhatIsMissing() {
        String text = HealthHistoryText.history("cmd:sleep", List.of(
                new TaskRun(T + 100, 0.2, 143, EndReason.TIMEOUT, 0.2, 0.5),
                new TaskRun(T, 75, 0, EndReason.EXIT, null, 1.25)), UTC);
        assertThat(text).isEqualTo("""
                cmd:sleep: 2 runs, newest first
                ENDED                DURATION  EXIT  REASON   TIMEOUT  LOAD
                2023-11-14 22:15:00  200ms     143   timeout  200ms    0.50
                2023-11-14 22:13:20  1m15s     0     exit     -        1.25
                """);
    }

    @Test
    void noRunsIsASentence() {
        assertThat(HealthHistoryText.history("cmd:nothing", List.of(), UTC))
                .isEqualTo("no runs recorded for cmd:nothing\n");
        assertThat(HealthHistoryText.stats("redis", false, List.of(), "claude", UTC))
                .isEqualTo("timing store: redis\nno runs recorded in category claude\n");
    }

    @Test
    void statsShowPercentilesSuccessRateAndADegradedStore() {
        String text = HealthHistoryText.stats("embedded", true, List.of(
                new TaskStats("cmd", "git_status", 3, 2 / 3.0, 0.05, 12.5, 2000.0, 4000.0, T),
                new TaskStats("cmd", "sleep", 1, 0, null, null, null, null, T - 60)), null, UTC);
        assertThat(text).isEqualTo("""
                timing store: embedded (degraded: Redis is configured but failing, the embedded store answers)
                TASK            RUNS  OK   P50   P90    P99    LAST RUN
                cmd:git_status  3     67%  50ms  12.5s  1h06m  2023-11-14 22:13:20
                cmd:sleep       1     0%   -     -      -      2023-11-14 22:12:20
                """);
    }

    @Test
    void durationsReadLikeAPersonWouldSayThem() {
        assertThat(HealthHistoryText.duration(0.421)).isEqualTo("421ms");
        assertThat(HealthHistoryText.duration(187.9)).isEqualTo("3m07s");
        assertThat(HealthHistoryText.duration(7500.0)).isEqualTo("2h05m");
        assertThat(HealthHistoryText.duration(null)).isEqualTo("-");
    }

    @Test
    void healthSummaryNamesWhereItCameFrom() {
        var h = new Health("healthy", "ccx", "0.1.0", 2, 100, 1, 50, 3725, "redis", false, "native");
        assertThat(HealthHistoryText.health(h, URI.create("http://127.0.0.1:8003/health"))).isEqualTo("""
                ccx 0.1.0 at http://127.0.0.1:8003/health
                  status     healthy
                  uptime     1h02m
                  sessions   2 of 100
                  processes  1 of 50 (spawner native)
                  timing     redis
                """);
        assertThat(HealthCommand.problem(h)).isNull();
        assertThat(HealthCommand.problem(new Health("healthy", "ccx", "0.1.0", 0, 1, 0, 1, 1,
                "embedded", true, "jdk"))).contains("degraded");
    }

    @Test
    void aClusterNodeListsTheNodesItSeesAndSaysWhenRedisIsAway() {
        var nodes = List.of(new ClusterHealth.Node("a", "ws://a:8003/ws/mcp", "gateway", List.of(), 0, 0, "0.1.0", 0.2),
                new ClusterHealth.Node("b", "ws://b:8003/ws/mcp", "both", List.of("gpu", "eu"), 3, 100, "0.1.0", 0.7));
        var h = new Health("healthy", "ccx", "0.1.0", 2, 100, 0, 100, 60, "redis", false, "native",
                new ClusterHealth("a", "gateway", List.of(), true, nodes));
        String text = HealthHistoryText.health(h, URI.create("http://a:8003/health"));
        assertThat(text).contains("  cluster    node a (gateway), 2 nodes live\n")
                .containsPattern("a \\*\\s+gateway\\s+0/0\\s+-\\s+0\\.2s\\s+ws://a:8003/ws/mcp")
                .containsPattern("b\\s+both\\s+3/100\\s+gpu,eu\\s+0\\.7s\\s+ws://b:8003/ws/mcp");
        assertThat(HealthCommand.problem(h)).isNull();
        var away = new Health("healthy", "ccx", "0.1.0", 2, 100, 0, 100, 60, "redis", false, "native",
                new ClusterHealth("a", "gateway", List.of(), false, List.of()));
        assertThat(HealthHistoryText.health(away, URI.create("http://a:8003/health"))).contains("REDIS UNREACHABLE");
        assertThat(HealthCommand.problem(away)).contains("Redis does not answer");
    }
}
