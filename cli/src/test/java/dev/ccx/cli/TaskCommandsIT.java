// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ccx batch} and {@code ccx tasks} against a real server: task files, concurrency, stop on failure, reports,
 * summaries, progress modes, clear errors for bad files and an unreachable server, and Ctrl-C in a real JVM.
 */
@ExtendWith(Groups.class)
class TaskCommandsIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    @TempDir
    Path dir;

    private final CliCapture cli = new CliCapture();

    private int ccx(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--url");
        all.add(2, server.uri().toString());
        return cli.run(all.toArray(String[]::new));
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    /** Reads a report and registers its processes with the leak check. */
    private static JsonNode report(Path file) throws IOException {
        JsonNode r = Wire.mapper().readTree(Files.readString(file));
        for (JsonNode t : r.path("tasks")) {
            if (t.has("pid")) {
                Groups.saw(t.path("pid").asLong());
            }
        }
        return r;
    }

    @Test
    void batchRunsEveryTaskReportsEachAndExitsOneWhenSomeFail() throws IOException {
        Path tasks = file("batch.json", """
                {"max_concurrent": 2,
                 "tasks": [
                   "echo one",
                   {"name": "fails", "command": "echo bad >&2; exit 3"},
                   {"name": "slow", "command": "sleep 30", "timeout": 0.5},
                   {"argv": ["/nonexistent/program"]},
                   {"argv": ["echo", "five"]}
                 ]}
                """);
        Path reportFile = dir.resolve("r.json");
        int code = ccx("batch", tasks.toString(), "--progress", "none", "--report", reportFile.toString());
        assertThat(code).as(cli.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.out()).contains("5 tasks", "2 ok", "1 failed", "1 timeout", "1 error", "fails — exit code 3",
                "| bad", "report: " + reportFile);
        JsonNode r = report(reportFile);
        assertThat(r.path("kind").asString()).isEqualTo("batch");
        assertThat(r.path("settings").path("max_concurrent").asInt()).isEqualTo(2);
        assertThat(r.path("counts").path("total").asInt()).isEqualTo(5);
        List<String> statuses = new ArrayList<>();
        r.path("tasks").forEach(t -> statuses.add(t.path("status").asString()));
        assertThat(statuses).containsExactly("success", "failed", "timeout", "error", "success");
        assertThat(r.path("tasks").get(0).path("stdout").asString()).isEqualTo("one\n");
        assertThat(r.path("tasks").get(1).path("line").asInt()).isEqualTo(4);
        assertThat(r.path("tasks").get(1).path("exit_code").asInt()).isEqualTo(3);
        assertThat(r.path("tasks").get(2).path("timeout_source").asString()).isEqualTo("explicit");
        assertThat(r.path("tasks").get(3).path("message").asString()).contains("/nonexistent/program");
        Wait.until(5_000, "no running process", () -> server.server().health().runningProcesses() == 0);
    }

    @Test
    void tasksRunInOrderInTheCurrentDirectoryAndStopAtTheFirstFailure() throws IOException {
        Path list = file("plan.md", """
                # Plan

                1. $ echo first >> log.txt
                2. `sh -c 'echo second >> log.txt; exit 2'`
                3. $ echo third >> log.txt
                """);
        int code = ccx("tasks", list.toString(), "--cwd", dir.toString(), "--progress", "none", "--no-report");
        assertThat(code).as(cli.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(Files.readAllLines(dir.resolve("log.txt"))).containsExactly("first", "second");
        assertThat(cli.out()).contains("1 ok", "1 failed", "1 skipped", "skipped: task 2").doesNotContain("report:");

        cli.reset();
        Files.delete(dir.resolve("log.txt"));
        code = ccx("tasks", list.toString(), "--cwd", dir.toString(), "--keep-going", "--progress", "none",
                "--no-report");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(Files.readAllLines(dir.resolve("log.txt"))).containsExactly("first", "second", "third");
    }

    @Test
    void allSucceededExitsZeroAndTheReportDirectoryIsCreated() throws IOException {
        Path list = file("ok.txt", """
                # one command per line when the file has no list
                echo a
                echo b
                """);
        Path reports = dir.resolve("reports");
        int code = ccx("batch", list.toString(), "--progress", "none", "--report",
                reports.resolve("b.json").toString());
        assertThat(code).as(cli.err()).isZero();
        assertThat(report(reports.resolve("b.json")).path("counts").path("success").asInt()).isEqualTo(2);
    }

    @Test
    void envFromTheCommandLineReachesCommandTasks() throws IOException {
        Path list = file("env.txt", "echo \"FOO=[$FOO]\"\n");
        Path reportFile = dir.resolve("env.json");
        assertThat(ccx("batch", list.toString(), "--env", "FOO=bar", "--progress", "none", "--report",
                reportFile.toString())).isZero();
        assertThat(report(reportFile).path("tasks").get(0).path("stdout").asString()).isEqualTo("FOO=[bar]\n");
    }

    @Test
    void aTaskListPipedOnStdinRuns() throws IOException {
        Path reportFile = dir.resolve("stdin.json");
        var plan = new java.io.ByteArrayInputStream("- $ echo piped\n".getBytes(StandardCharsets.UTF_8));
        assertThat(cli.run(plan, "tasks", "--url", server.uri().toString(), "-", "--progress", "none", "--report",
                reportFile.toString())).as(cli.err()).isZero();
        JsonNode r = report(reportFile);
        assertThat(r.path("file").asString()).isEqualTo("-");
        assertThat(r.path("tasks").get(0).path("stdout").asString()).isEqualTo("piped\n");
    }

    @Test
    void plainProgressPrintsALinePerStartAndEnd() throws IOException {
        Path list = file("p.txt", "echo a\necho b\n");
        assertThat(ccx("batch", list.toString(), "--progress", "plain", "--max-concurrent", "1", "--no-report"))
                .isZero();
        assertThat(cli.err()).contains("[1] started: echo a", "[2] started: echo b", "[1/2] ok", "[2/2] ok")
                .doesNotContain("\r");
    }

    @Test
    void ttyProgressRedrawsAStatusLineInPlace() throws IOException {
        Path list = file("t.txt", "sleep 1.5\nsleep 1.4\n");
        assertThat(ccx("batch", list.toString(), "--progress", "tty", "--no-report")).isZero();
        assertThat(cli.err()).contains("[0/2 done, 2 running] sleep 1.", " · 0 lines 0 B\r\033[K", "[2/2] ok");
    }

    @Test
    void jsonModePrintsEventsAndASummary() throws IOException {
        Path list = file("j.txt", "echo a\nexit 4\n");
        assertThat(ccx("batch", list.toString(), "--json", "--no-report")).isEqualTo(ExitCodes.FAILED);
        List<JsonNode> lines = cli.out().lines().map(l -> Wire.mapper().readTree(l)).toList();
        assertThat(lines).extracting(n -> n.path("type").asString())
                .contains("task_started", "task_finished").last().isEqualTo("summary");
        assertThat(lines.getLast().path("counts").path("failed").asInt()).isEqualTo(1);
        assertThat(cli.err()).isEmpty();
    }

    @Test
    void badTaskFileNamesFileAndLine() throws IOException {
        Path bad = file("bad.json", """
                {"tasks": [
                  "echo ok",
                  {"command": "echo x", "timout": 5}
                ]}
                """);
        assertThat(ccx("batch", bad.toString(), "--no-report")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("bad.json:3", "timout");
        cli.reset();
        assertThat(ccx("tasks", dir.resolve("missing.md").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("missing.md");
    }

    @Test
    void unreachableServerSaysWhereAndHowToStartOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path list = file("u.txt", "echo a\n");
        int code = cli.run("tasks", "--url",
                "ws://127.0.0.1:" + port + "/ws/mcp", list.toString(), "--no-report");
        assertThat(code).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains("ws://127.0.0.1:" + port, "ccx serve");
    }

    @Test
    void helpListsTheExitCodes() {
        assertThat(ccx("tasks", "--help")).isZero();
        assertThat(cli.out()).contains("Exit codes:", "130", "--keep-going");
    }

    @Test
    void ctrlCCancelsTheRunningTaskSkipsTheRestAndStillWritesTheReport() throws Exception {
        Path list = file("long.md", """
                - $ echo output so far; echo started > started.txt; sleep 60
                - $ echo never
                """);
        Path reportFile = dir.resolve("int.json");
        Path jar = Path.of("target", "ccx.jar").toAbsolutePath();
        assertThat(jar).exists();
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "tasks", "--url",
                server.uri().toString(), "--cwd", dir.toString(), "--progress", "plain", "--report",
                reportFile.toString(), list.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("cli.log").toFile()).start();
        try {
            // Both: the command has written its output, and the CLI has its handle (the progress line comes after).
            Wait.until(30_000, "the first task to start", () -> Files.exists(dir.resolve("started.txt"))
                    && contains(dir.resolve("cli.log"), "[1] started:"));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ccx exits after SIGINT").isTrue();
            assertThat(p.exitValue()).isEqualTo(ExitCodes.CANCELED);
        } finally {
            p.destroyForcibly();
        }
        JsonNode r = report(reportFile);
        JsonNode canceled = r.path("tasks").get(0);
        assertThat(canceled.path("status").asString()).isEqualTo("failed");
        assertThat(canceled.path("reason").asString()).isEqualTo("canceled");
        assertThat(r.path("tasks").get(1).path("status").asString()).isEqualTo("skipped");
        assertThat(canceled.path("stdout").asString()).isEqualTo("output so far\n");
        assertThat(Files.readString(dir.resolve("cli.log"))).contains("skipped");
        Wait.until(10_000, "the canceled task's process to end",
                () -> server.server().health().runningProcesses() == 0);
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
