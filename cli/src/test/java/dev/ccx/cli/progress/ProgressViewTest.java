// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.Command;
import dev.ccx.client.CommandResult;
import dev.ccx.client.Stream;
import dev.ccx.client.TaskResult;
import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.StreamJsonParser;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What each mode writes for the same events; the redrawing tick is covered by TaskCommandsIT. */
class ProgressViewTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ProgressView view(ProgressMode mode) {
        return new ProgressView(mode, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), List.of("first", "second"));
    }

    private static TaskResult exited(int index, int code) {
        return TaskResult.of(index, Command.shell("x"), new CommandResult("e", 1, "failed", code, EndReason.EXIT,
                Duration.ofMillis(2500), "", "", false, null, null, false, null));
    }

    private static void feed(ProgressView v) {
        StreamJsonParser parser = new StreamJsonParser();
        v.output(1, Stream.STDOUT, "héllo");
        for (ClaudeEvent e : parser.accept("{\"type\":\"assistant\",\"message\":{\"id\":\"m1\",\"content\":[{\"type\":"
                + "\"tool_use\",\"id\":\"t1\",\"name\":\"Write\",\"input\":{\"file_path\":\"a.txt\"}}]}}")) {
            v.event(1, e, parser);
        }
        v.retrying(1, 1, Duration.ofSeconds(5), "rate limit (HTTP 429); attempt 2 of 3 in 5s");
        v.finished(exited(0, 0));
        v.finished(exited(1, 3));
    }

    @Test
    void plainWritesOneLinePerEventOnStderrAndNothingOnStdout() {
        try (ProgressView v = view(ProgressMode.PLAIN)) {
            feed(v);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("""
                [2] tool: Write {"file_path":"a.txt"}
                [2] retrying: rate limit (HTTP 429); attempt 2 of 3 in 5s
                [1/2] ok 2.5s first
                [2/2] failed 2.5s second — exit code 3
                """);
        assertThat(out.size()).isZero();
    }

    @Test
    void jsonWritesOneObjectPerEventOnStdoutAndNothingOnStderr() {
        try (ProgressView v = view(ProgressMode.JSON)) {
            feed(v);
        }
        List<JsonNode> events = out.toString(StandardCharsets.UTF_8).lines().map(Wire.mapper()::readTree).toList();
        assertThat(events).extracting(e -> e.path("type").asString())
                .containsExactly("tool_use", "retrying", "task_finished", "task_finished");
        assertThat(events.get(0).path("input").path("file_path").asString()).isEqualTo("a.txt");
        assertThat(events.get(3).path("exit_code").asInt()).isEqualTo(3);
        assertThat(events.get(3).path("name").asString()).isEqualTo("second");
        assertThat(err.size()).isZero();
    }

    @Test
    void noneWritesNothing() {
        try (ProgressView v = view(ProgressMode.NONE)) {
            feed(v);
        }
        assertThat(out.size() + err.size()).isZero();
    }

    @Test
    void unitsReadLikeAPersonWouldSayThem() {
        assertThat(Units.duration(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Units.duration(Duration.ofMillis(187_900))).isEqualTo("3m07s");
        assertThat(Units.bytes(8_400)).isEqualTo("8.2 KB");
        assertThat(Units.count(1_234)).isEqualTo("1.2k");
        assertThat(Units.utf8Line("héllo")).isEqualTo(7);
    }
}
