// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.Command;
import dev.ccx.client.CommandResult;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ReportTest {
    @TempDir
    Path dir;

    private static CommandResult ended(int exit, EndReason reason, String stdout, String stderr) {
        return new CommandResult("e" + exit, 100 + exit, exit == 0 ? "completed" : "failed", exit, reason,
                Duration.ofMillis(1500), stdout, stderr, false, Duration.ofSeconds(60), "explicit", false, null);
    }

    private static Report report() {
        Command ok = Command.shell("echo hi");
        Command bad = Command.shell("make check");
        Command skipped = Command.shell("echo later");
        TaskResult r0 = TaskResult.of(0, ok, ended(0, EndReason.EXIT, "hi\n", ""));
        TaskResult r1 = TaskResult.of(1, bad, ended(2, EndReason.EXIT, "",
                "make: entering\n\nmake: *** No rule to make target 'check'.  Stop.\n"));
        TaskResult r2 = new TaskResult(2, skipped, TaskStatus.SKIPPED, null, "skipped: task 2 (make check) ended "
                + "FAILED", null, 0);
        return new Report("tasks", "plan.md", "ws://127.0.0.1:8003/ws/mcp", Instant.parse("2026-11-24T10:15:00Z"),
                Duration.ofMillis(3200), Map.of("stop_on_failure", true), List.of(
                        new Report.Entry("echo hi", 3, r0), new Report.Entry("make check", 4, r1),
                        new Report.Entry("echo later", 5, r2)));
    }

    @Test
    void summaryIsOneAlignedLinePerTaskWithTheStderrTailOfFailures() {
        assertThat(report().summary()).isEqualTo("""
                ccx tasks plan.md: 3 tasks in 3.2s — 1 ok, 1 failed, 1 skipped
                  1  ok           1.5s  echo hi
                  2  failed       1.5s  make check — exit code 2
                                        | make: entering
                                        | make: *** No rule to make target 'check'.  Stop.
                  3  skipped            echo later — skipped: task 2 (make check) ended FAILED
                """);
    }

    @Test
    void jsonHoldsCountsSettingsAndEveryTaskWithItsLineAndOutput() throws IOException {
        Path written = report().write(dir.resolve("sub/dir/r.json"));
        JsonNode r = Wire.mapper().readTree(Files.readString(written));
        assertThat(r.path("counts").path("total").asInt()).isEqualTo(3);
        assertThat(r.path("counts").path("failed").asInt()).isEqualTo(1);
        assertThat(r.path("counts").has("timeout")).isFalse();
        assertThat(r.path("settings").path("stop_on_failure").asBoolean()).isTrue();
        JsonNode failed = r.path("tasks").get(1);
        assertThat(failed.path("line").asInt()).isEqualTo(4);
        assertThat(failed.path("status").asString()).isEqualTo("failed");
        assertThat(failed.path("exit_code").asInt()).isEqualTo(2);
        assertThat(failed.path("pid").asLong()).isEqualTo(102);
        assertThat(failed.path("duration").asDouble()).isEqualTo(1.5);
        assertThat(failed.path("stderr").asString()).contains("No rule");
        assertThat(r.path("tasks").get(0).path("stdout").asString()).isEqualTo("hi\n");
        assertThat(r.path("tasks").get(2).has("exit_code")).isFalse();
        try (var files = Files.list(written.getParent())) {
            assertThat(files).as("no temporary file left").containsExactly(written);
        }
    }

    @Test
    void allSucceededOnlyWhenEveryTaskDid() {
        assertThat(report().allSucceeded()).isFalse();
    }
}
