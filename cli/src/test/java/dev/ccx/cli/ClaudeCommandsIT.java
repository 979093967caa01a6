// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.claude.stub.RecordedRequest;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.Wait;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ccx claude} and {@code ccx tasks} with Claude prompts, end to end: the CLI in this JVM (picocli, stdout and
 * stderr captured), a real ccx server on port 0, the real Claude Code CLI (pinned, installed by the client test-jar's
 * install.sh; a failed install fails these tests) run by that server, and {@link StubAnthropicApi} on loopback as
 * the Messages API.
 *
 * <p>{@link StubbedClaude} holds the stub and the flags (as root, Claude Code gets {@code --permission-mode
 * acceptEdits --allowed-tools Write,Read}: it refuses to skip permissions). After each test no process group the
 * server started may survive ({@link Groups}), nor any {@code claude} process under this JVM, nor a running execution
 * on the server.
 */
@ExtendWith(Groups.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClaudeCommandsIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();
    @RegisterExtension
    static final StubbedClaude claude = new StubbedClaude(server);

    /** The deadline of a run that should end on its own (it takes 1–3 s; other builds share the cores). */
    private static final String RUN_TIMEOUT = "60";

    @TempDir
    Path tmp;

    private final CliCapture cli = new CliCapture();

    private void script(Reply... replies) {
        claude.script(replies);
    }

    private void script(Function<RecordedRequest, Reply> reply) {
        claude.script(reply);
    }

    /** {@code ccx SUBCOMMAND <stub flags> args...}, with a bounding {@code --timeout} unless args give one. */
    private int ccx(String subcommand, String... args) {
        return cli.run(argv(subcommand, args).toArray(String[]::new));
    }

    private List<String> argv(String subcommand, String... args) {
        List<String> all = new ArrayList<>(List.of(subcommand));
        all.addAll(claude.flags());
        if (!List.of(args).contains("--timeout")) {
            all.addAll(List.of("--timeout", RUN_TIMEOUT));
        }
        all.addAll(List.of(args));
        return all;
    }

    /** What the CLI printed and what the stub saw, for assertion messages. */
    private String transcript() {
        return "--- stdout ---\n" + cli.out() + "--- stderr ---\n" + cli.err() + "--- stub ---\n" + claude.stub().requests();
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    // ---- ccx claude --------------------------------------------------------------------------------------------

    @Test
    void plainAnswerIsStdoutAndTheSummaryGoesToStderr() {
        script(Reply.text("The answer is 42, through the ccx CLI."));

        int code = ccx("claude", "What is the answer?", "--progress", "none");

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.out()).isEqualTo("The answer is 42, through the ccx CLI." + System.lineSeparator());
        String session = claude.session(0);
        assertThat(session).isNotBlank();
        assertThat(cli.err()).startsWith("ccx claude: ok · 1 turn · 0 tool calls · ")
                .contains(" in / ", " out tokens", " · $", " · session " + session)
                .doesNotContain("attempts", "partial");
        assertThat(cli.err().lines()).as(transcript()).hasSize(1);
        assertThat(claude.stub().messageRequests()).hasSize(1);
        assertThat(claude.stub().messageRequests().getFirst().userText()).contains("What is the answer?");
    }

    @Test
    void writeToolCreatesTheFileAndPlainProgressShowsTheToolCall() {
        Path hello = claude.cwd().resolve("hello.txt");
        script(Reply.write(hello.toString(), "hello from ccx claude\n"), Reply.text("I wrote hello.txt."));

        int code = ccx("claude", "Create hello.txt", "--progress", "plain");

        assertThat(code).as(transcript()).isZero();
        assertThat(hello).hasContent("hello from ccx claude\n");
        assertThat(cli.out()).isEqualTo("I wrote hello.txt." + System.lineSeparator());
        assertThat(cli.err()).as(transcript()).contains("started: claude: Create hello.txt",
                "tool: Write {\"file_path\":\"" + hello, "ok ", "ccx claude: ok · 2 turns · 1 tool call · ")
                .doesNotContain("\r", "\033");
    }

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {"answer": {"type": "integer"}, "items": {"type": "array", "items": {"type": "string"}}},
             "required": ["answer", "items"]}
            """;

    @Test
    void schemaAnswerIsPrettyJsonOnStdout() throws IOException {
        Path schema = file("schema.json", SCHEMA);
        script(Reply.json("{\"answer\":42,\"items\":[\"a\",\"b\"]}"));

        int code = ccx("claude", "Count the items", "--schema", schema.toString(), "--progress", "none");

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.out().lines().count()).as("pretty-printed: " + cli.out()).isGreaterThan(3);
        assertThat(Wire.mapper().readTree(cli.out()))
                .isEqualTo(Wire.mapper().readTree("{\"answer\":42,\"items\":[\"a\",\"b\"]}"));
        assertThat(cli.err()).startsWith("ccx claude: ok");
        // The prompt Claude got asks for JSON matching the schema from the file.
        assertThat(claude.stub().messageRequests().getFirst().userText()).contains("Count the items", "\"items\"");
    }

    @Test
    void offSchemaAnswerExitsOneAndNamesTheSchemaError() throws IOException {
        Path schema = file("schema.json", SCHEMA);
        script(Reply.json("{\"answer\":\"many\"}"));

        int code = ccx("claude", "Count the items", "--schema", schema.toString(), "--progress", "none");

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.err()).startsWith("ccx claude: failed").contains("does not match the schema",
                "$: missing required property \"items\"", "$.answer: expected integer");
    }

    @Test
    void jsonModePrintsEventLinesAndTheResultLast() throws IOException {
        Path notes = claude.cwd().resolve("notes.md");
        script(Reply.write(notes.toString(), "# Notes\n"), Reply.text("Wrote notes.md."));

        int code = ccx("claude", "Write notes.md", "--json");

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.err()).isEmpty();
        List<JsonNode> lines = cli.out().lines().map(l -> Wire.mapper().readTree(l)).toList();
        assertThat(lines).extracting(n -> n.path("type").asString())
                .containsExactly("task_started", "tool_use", "task_finished", "result");
        assertThat(lines.get(1).path("tool").asString()).isEqualTo("Write");
        assertThat(lines.get(1).path("input").path("file_path").asString()).isEqualTo(notes.toString());
        JsonNode result = lines.getLast();
        assertThat(result.path("status").asString()).isEqualTo("success");
        assertThat(result.path("attempts").asInt()).isEqualTo(1);
        assertThat(result.path("exit_code").asInt()).isZero();
        assertThat(result.path("claude").path("text").asString()).isEqualTo("Wrote notes.md.");
        assertThat(result.path("claude").path("session_id").asString())
                .isEqualTo(claude.session(0));
        assertThat(result.path("claude").path("tool_calls")).singleElement()
                .satisfies(t -> assertThat(t.path("name").asString()).isEqualTo("Write"));
        assertThat(notes).hasContent("# Notes\n");
    }

    @Test
    void rateLimitRetriedByClaudeCodeItselfIsOneAttempt() {
        script(Reply.rateLimited(Duration.ofSeconds(1)), Reply.text("Answered after the CLI's own retry."));

        int code = ccx("claude", "Try again", "--progress", "plain");

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.out()).isEqualTo("Answered after the CLI's own retry." + System.lineSeparator());
        assertThat(cli.err()).contains("API retry 1 after HTTP 429").doesNotContain("retrying:", "attempts");
        assertThat(claude.stub().messageRequests()).hasSize(2);
    }

    @Test
    void rateLimitClaudeCodeGivesUpOnIsRetriedByCcx() {
        script(Reply.rateLimited(Duration.ofSeconds(1)), Reply.text("Answered by the second run."));

        // CLAUDE_CODE_MAX_RETRIES=0: Claude Code reports the 429 as its error result at once, and ccx runs it again.
        int code = ccx("claude", "Try again", "--env", "CLAUDE_CODE_MAX_RETRIES=0", "--attempts", "2",
                "--retry-delay", "0.2", "--progress", "plain");

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.out()).isEqualTo("Answered by the second run." + System.lineSeparator());
        assertThat(cli.err()).contains("retrying: rate limit (HTTP 429); attempt 2 of 2 in ")
                .contains("ccx claude: ok · ", " · 2 attempts · ");
        assertThat(claude.stub().messageRequests()).hasSize(2);
    }

    @Test
    void rateLimitBeyondTheAttemptsExitsOneWithClaudeCodesError() {
        script(Reply.rateLimited(Duration.ofSeconds(1)));

        int code = ccx("claude", "Try once", "--env", "CLAUDE_CODE_MAX_RETRIES=0", "--attempts", "1",
                "--progress", "none");

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.FAILED);
        assertThat(cli.err()).startsWith("ccx claude: failed").contains("API Error: Request rejected (429)",
                "giving up after 1 of 1 attempts");
        // Claude Code's error text is no answer: a script reading stdout must not take it for one.
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void timeoutExits124AndStillPrintsTheTextSoFar() {
        String streamed = "Working on it: the first half of the answer is ";
        // The block stays open: only the partial messages (on by default) carry its text.
        script(Reply.stallAfter(streamed, Duration.ofMinutes(2)));

        int code = ccx("claude", "Take your time", "--timeout", "8", "--progress", "none");

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(cli.out()).isEqualTo(streamed + System.lineSeparator());
        assertThat(cli.err()).startsWith("ccx claude: timeout").contains("partial: the run ended before Claude's "
                + "result", "imed out after 8");
    }

    @Test
    void ctrlCCancelsTheRunPrintsTheTextSoFarAndExits130() throws Exception {
        Path file = claude.cwd().resolve("started.txt");
        // Turn 1 says something, then writes a file; turn 2 hangs. Progress shows the Write after the text before it.
        script(Reply.toolUse("Text before the tool.", "Write", Wire.mapper().createObjectNode()
                .put("file_path", file.toString()).put("content", "x").toString()));
        script(Reply.stall(Duration.ofMinutes(2)));
        Path jar = Path.of("target", "ccx.jar").toAbsolutePath();
        assertThat(jar).exists();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        command.addAll(argv("claude", "Take your time", "--progress", "plain"));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            Wait.until(30_000, "the Write and the second request", () -> Files.exists(file)
                    && claude.stub().messageRequests().size() == 2 && contents(err).contains("tool: Write"));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ccx exits after SIGINT").isTrue();
            assertThat(p.exitValue()).as(contents(err)).isEqualTo(ExitCodes.CANCELED);
        } finally {
            p.destroyForcibly();
        }
        assertThat(contents(out)).isEqualTo("Text before the tool." + System.lineSeparator());
        assertThat(contents(err)).contains("ccx claude: canceled · 2 turns · 1 tool call · ",
                "partial: the run ended before Claude's result");
    }

    private static String contents(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void promptFromStdinReachesClaudeUnchanged() {
        String prompt = "Say \"hi\" to $(whoami) and `uname`; 'quoted' \\ back\nand a second line\n";
        script(Reply.text("Hi."));

        int code = cli.run(new ByteArrayInputStream(prompt.getBytes(StandardCharsets.UTF_8)),
                argv("claude", "-", "--progress", "none").toArray(String[]::new));

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.out()).isEqualTo("Hi." + System.lineSeparator());
        assertThat(claude.stub().messageRequests().getFirst().userText()).contains(prompt.strip());
    }

    @Test
    void resumeContinuesTheSessionOfAnEarlierRun() {
        script(Reply.text("Noted: the code word is xyzzy."));
        assertThat(ccx("claude", "Remember the code word xyzzy", "--progress", "none")).as(transcript()).isZero();
        String session = claude.session(0);
        cli.reset();
        script(Reply.text("The code word was xyzzy."));

        int code = ccx("claude", "What was the code word?", "--resume", session, "--progress", "none");

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.out()).isEqualTo("The code word was xyzzy." + System.lineSeparator());
        // The second request carries the first exchange: Claude Code loaded the session's transcript.
        RecordedRequest second = claude.stub().messageRequests().get(1);
        assertThat(second.userText()).contains("Remember the code word xyzzy", "What was the code word?");
        assertThat(second.messages().toString()).contains("Noted: the code word is xyzzy.");
    }

    @Test
    void unreachableServerExits125WithTheUrlAndHowToStartOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "ws://127.0.0.1:" + port + "/ws/mcp";

        int code = cli.run("claude", "--url", url, "Hello?");

        assertThat(code).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains("cannot reach a ccx server at " + url, "ccx serve");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void claudeNotFoundOnTheServerExits125WithTheHintAboutClaudeBin() {
        Path missing = tmp.resolve("no-such-dir").resolve("claude");

        int code = cli.run("claude", "--url", server.uri().toString(), "--claude-bin", missing.toString(),
                "--cwd", claude.cwd().toString(), "--progress", "none", "Hello?");

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains(missing.toString(), "--claude-bin");
        assertThat(cli.out()).isEmpty();
        assertThat(claude.stub().requests()).isEmpty();
    }

    // ---- ccx tasks ---------------------------------------------------------------------------------------------

    private static final Pattern ALPHA = Pattern.compile("alpha-(\\d+)");
    private static final Pattern BETA = Pattern.compile("beta-(\\d+)");



    /** Task 1 of a plan: writes {@code alpha-n} to a.txt. */
    private void scriptWriteA(Path a, long n) {
        script(Reply.write(a.toString(), "alpha-" + n + "\n"), Reply.text("Wrote a.txt."));
    }

    @Test
    void tasksRunAPlanWhereEachPromptUsesThePreviousOnesFile() throws IOException {
        long n = ThreadLocalRandom.current().nextLong(1_000, 1_000_000);
        Path a = claude.cwd().resolve("a.txt");
        Path b = claude.cwd().resolve("b.txt");
        scriptWriteA(a, n);
        // Task 2 learns the number only from the Read result Claude Code sends back, and writes twice it to b.txt.
        Reply.Message readA = Reply.read(a.toString());
        script(readA);
        script(request -> Reply.write(b.toString(), "beta-" + 2 * request.numberIn(readA.toolUseId(), ALPHA)
                + "\n"));
        script(Reply.text("Wrote b.txt."));
        // Task 3 reads b.txt and answers from what it read.
        Reply.Message readB = Reply.read(b.toString());
        script(readB);
        script(request -> {
            long beta = request.numberIn(readB.toolUseId(), BETA);
            return Reply.text("b.txt holds beta-" + beta + ", so a.txt held alpha-" + beta / 2 + ".");
        });
        Path plan = file("plan.md", """
                # Plan

                1. Write a.txt with a fresh number
                2. Read a.txt and write b.txt with twice its number
                3. Read b.txt and tell me what a.txt held
                """);
        Path reportFile = tmp.resolve("report.json");

        int code = ccx("tasks", plan.toString(), "--progress", "plain", "--report", reportFile.toString());

        assertThat(code).as(transcript()).isZero();
        assertThat(a).hasContent("alpha-" + n + "\n");
        assertThat(b).hasContent("beta-" + 2 * n + "\n");
        assertThat(cli.out()).contains("3 tasks", "3 ok", "report: " + reportFile);
        assertThat(cli.err()).contains("[1] tool: Write", "[2] tool: Read", "[2] tool: Write", "[3] tool: Read",
                "[3/3] ok");
        JsonNode tasks = Wire.mapper().readTree(reportFile.toFile()).path("tasks");
        assertThat(tasks).extracting(t -> t.path("status").asString()).containsOnly("success");
        assertThat(tasks).extracting(t -> t.path("claude").path("text").asString()).containsExactly("Wrote a.txt.",
                "Wrote b.txt.", "b.txt holds beta-" + 2 * n + ", so a.txt held alpha-" + n + ".");
        assertThat(tasks).extracting(t -> toolNames(t.path("claude").path("tool_calls")))
                .containsExactly(List.of("Write"), List.of("Read", "Write"), List.of("Read"));
        assertThat(tasks).extracting(t -> t.path("claude").path("session_id").asString()).doesNotHaveDuplicates();
        assertThat(claude.stub().pending()).isZero();
    }

    private static List<String> toolNames(JsonNode calls) {
        List<String> names = new ArrayList<>();
        calls.forEach(c -> names.add(c.path("name").asString()));
        return names;
    }

    @Test
    void tasksStopWhenAPromptAnswersOffItsSchemaAndSkipTheRest() throws IOException {
        long n = ThreadLocalRandom.current().nextLong(1_000, 1_000_000);
        Path a = claude.cwd().resolve("a.txt");
        scriptWriteA(a, n);
        Reply.Message readA = Reply.read(a.toString());
        script(readA);
        // The schema asks for an integer; the model answers with a string.
        script(request -> Reply.json("{\"number\":\"" + request.numberIn(readA.toolUseId(), ALPHA) + "\"}"));
        Path plan = file("plan.json", """
                {"tasks": [
                  "Write a.txt with a fresh number",
                  {"name": "number as JSON", "prompt": "Read a.txt and answer with its number as JSON",
                   "schema": {"type": "object", "properties": {"number": {"type": "integer"}}, "required": ["number"]}},
                  "Read b.txt and tell me what a.txt held"
                ]}
                """);
        Path reportFile = tmp.resolve("report.json");

        int code = ccx("tasks", plan.toString(), "--progress", "none", "--report", reportFile.toString());

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.FAILED);
        assertThat(a).hasContent("alpha-" + n + "\n");
        assertThat(cli.out()).contains("3 tasks", "1 ok, 1 failed, 1 skipped",
                "number as JSON — the answer does not match the schema: $.number: expected integer",
                "skipped: task 2");
        JsonNode tasks = Wire.mapper().readTree(reportFile.toFile()).path("tasks");
        assertThat(tasks).extracting(t -> t.path("status").asString())
                .containsExactly("success", "failed", "skipped");
        assertThat(tasks.get(1).path("claude").path("json").path("number").asString()).isEqualTo(Long.toString(n));
        assertThat(tasks.get(1).path("claude").path("schema_errors")).isNotEmpty();
        assertThat(claude.stub().messageRequests()).hasSize(4);
        assertThat(claude.stub().pending()).isZero();
    }
}
