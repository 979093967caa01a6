// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.Batch;
import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.RunningCommand;
import dev.ccx.client.Stream;
import dev.ccx.client.Task;
import dev.ccx.client.TaskList;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeListener;
import dev.ccx.client.claude.ClaudeResult;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.RetryPolicy;
import dev.ccx.client.claude.StreamJsonParser;
import dev.ccx.client.claude.ToolCall;
import dev.ccx.protocol.EndReason;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Claude Code end to end through ccx: {@link ClaudeTask} on a {@link CcxClient}, a real ccx server on port 0, the
 * real Claude Code CLI (pinned, installed by src/test/resources/claude-code/install.sh) run by that server as argv,
 * and {@link StubAnthropicApi} on loopback as the Messages API. Installation failure fails the tests (never skips).
 *
 * <p>Tests run as root here, so the CLI gets {@code --permission-mode acceptEdits --allowedTools Write,Read}
 * instead of skipping permissions (which it refuses for root). After each test no process group started by the
 * server may survive ({@link Groups}) and no {@code claude} process may be left under this JVM.
 */
@ExtendWith(Groups.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClaudeThroughCcxIT {
    /**
     * The smallest line limit the server takes: stream-json lines longer than it (the init line has several KB)
     * reach the client in pieces, and every test checks that they are put back together.
     */
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.maxLineBytes(1024));

    /** Bound of one CLI run that should end on its own (it takes 1–3 s; other builds share the 2 cores). */
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final StubbedClaudeCli sandbox = new StubbedClaudeCli();

    private CcxClient client;
    private final Recorder listener = new Recorder();

    @BeforeEach
    void start() {
        client = CcxClient.connect(server.uri(), ClientOptions.defaults());
    }

    @AfterEach
    void stop() {
        client.close();
        assertThat(ClaudeCodeCli.leftBehind(5_000)).as("claude processes left behind").isEmpty();
        assertThat(server.server().health().runningProcesses()).isZero();
    }

    /** {@code claude -p prompt} for the stub, in the sandbox's work directory, with Write and Read allowed. */
    private ClaudeTask task(String prompt) {
        return task(ClaudeCommand.of(prompt), Map.of());
    }

    private ClaudeTask task(ClaudeCommand command, Map<String, String> extraEnv) {
        Map<String, String> env = sandbox.environment();
        env.putAll(extraEnv);
        ClaudeCommand c = command.executable(ClaudeCodeCli.executable().toString())
                .permissionMode(ClaudeCommand.PermissionMode.ACCEPT_EDITS)
                .allowedTools(List.of("Write", "Read"));
        return ClaudeTask.of(c).cwd(sandbox.cwd().toString()).env(env).timeout(RUN_TIMEOUT);
    }

    private TaskResult run(ClaudeTask task) {
        return task.run(client, 0, null, listener);
    }

    /** Everything about a result, for assertion messages. */
    private String describe(TaskResult r) {
        return r.status() + " (" + r.message() + "), attempts " + r.attempts() + "\nclaude: " + r.claude()
                + "\nstub: " + sandbox.stub().requests() + (r.result() == null ? ""
                : "\n--- stdout ---\n" + r.result().stdout() + "\n--- stderr ---\n" + r.result().stderr());
    }

    @Test
    void plainTextAnswer() {
        sandbox.stub().enqueue(Reply.text("The answer is 42, through ccx."));

        TaskResult r = run(task("What is the answer?"));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.result().exitCode()).isZero();
        ClaudeResult c = r.claude();
        assertThat(c.ok()).as(describe(r)).isTrue();
        assertThat(c.text()).isEqualTo("The answer is 42, through ccx.");
        assertThat(c.partial()).isFalse();
        assertThat(c.sessionId()).isNotBlank();
        assertThat(c.numTurns()).isEqualTo(1);
        assertThat(c.usage().inputTokens()).as(describe(r)).isPositive();
        assertThat(c.usage().outputTokens()).as(describe(r)).isPositive();
        assertThat(c.costUsd()).as(describe(r)).isNotNull().isGreaterThanOrEqualTo(0.0);
        assertThat(c.durationMs()).isNotNull();
        assertThat(c.toolCalls()).isEmpty();

        ClaudeEvent.Init init = listener.events(ClaudeEvent.Init.class).getFirst();
        assertThat(init.version()).isEqualTo(ClaudeCodeCli.VERSION);
        assertThat(init.cwd()).isEqualTo(sandbox.cwd().toString());
        assertThat(init.permissionMode()).isEqualTo("acceptEdits");
        assertThat(init.sessionId()).isEqualTo(c.sessionId());
        assertThat(listener.log).containsExactly("started 0");
        assertThat(listener.longestStdoutLine).as("a line split by the server").isGreaterThan(1024);
        assertThat(listener.events(ClaudeEvent.Unknown.class)).as("lines that are not JSON")
                .filteredOn(u -> u.node() == null).isEmpty();
        assertThat(sandbox.stub().messageRequests()).hasSize(1);
        assertThat(sandbox.stub().messageRequests().getFirst().userText()).contains("What is the answer?");
        assertThat(sandbox.stub().pending()).isZero();
    }

    @Test
    void claudeReadsItsPromptFromStdinThroughCcx() throws Exception {
        sandbox.stub().enqueue(Reply.text("Read from stdin."));
        dev.ccx.client.Command command = dev.ccx.client.Command.argv(ClaudeCodeCli.executable().toString(), "-p",
                        "--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits")
                .cwd(sandbox.cwd().toString()).env(sandbox.environment()).timeout(RUN_TIMEOUT).stdin();
        RunningCommand rc = client.execute(command);
        Groups.saw(rc.pid());
        try (java.io.OutputStream in = rc.stdin()) {
            in.write("What did I pipe in?\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        dev.ccx.client.CommandResult r = rc.await(RUN_TIMEOUT);

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        StreamJsonParser parser = new StreamJsonParser();
        r.stdout().lines().forEach(parser::accept);
        ClaudeResult c = parser.finish();
        assertThat(c.text()).isEqualTo("Read from stdin.");
        assertThat(sandbox.stub().messageRequests().getFirst().userText()).contains("What did I pipe in?");
    }

    @Test
    void writeToolCreatesTheFileAndIsRecordedAsAToolCall() {
        Path file = sandbox.cwd().resolve("hello.txt");
        Reply.Message write = Reply.write(file.toString(), "hello through ccx\nsecond line\n");
        sandbox.stub().enqueue(write, Reply.text("I wrote hello.txt."));

        TaskResult r = run(task("Create hello.txt"));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
        assertThat(file).hasContent("hello through ccx\nsecond line\n");
        ClaudeResult c = r.claude();
        assertThat(c.text()).isEqualTo("I wrote hello.txt.");
        assertThat(c.numTurns()).isEqualTo(2);
        assertThat(c.toolCalls()).hasSize(1);
        ToolCall call = c.toolCalls().getFirst();
        assertThat(call.id()).isEqualTo(write.toolUseId());
        assertThat(call.name()).isEqualTo("Write");
        assertThat(call.isError()).isFalse();
        assertThat(call.inputSummary()).contains(file.toString());
        assertThat(listener.events(ClaudeEvent.ToolResult.class)).singleElement().satisfies(t -> {
            assertThat(t.toolUseId()).isEqualTo(write.toolUseId());
            assertThat(t.isError()).isFalse();
            assertThat(t.content()).contains("File created successfully");
        });
        JsonNode toolResult = sandbox.stub().messageRequests().get(1).toolResult(write.toolUseId()).orElseThrow();
        assertThat(RecordedRequest.toolResultText(toolResult)).contains(file.toString());
    }

    @Test
    void runsOnAServerWithAnAllowListThatNamesTheExecutable() {
        String exe = ClaudeCodeCli.executable().toString();
        try (TestServer strict = TestServer.start(b -> b.allowedCommands(Set.of(exe)));
             CcxClient c = CcxClient.connect(strict.uri(), ClientOptions.defaults())) {
            sandbox.stub().enqueue(Reply.text("Allowed."));
            // PATH may not be set through params.env under an allow-list: the server's own PATH is used.
            Map<String, String> env = new LinkedHashMap<>(task("x").env());
            env.remove("PATH");
            ClaudeTask allowed = task("Am I allowed?").env(env);

            TaskResult r = allowed.run(c, 0, null, listener);
            TaskResult refused = allowed.command(allowed.command().executable("claude")).run(c, 1, null, listener);

            assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
            assertThat(r.claude().text()).isEqualTo("Allowed.");
            assertThat(refused.status()).isEqualTo(TaskStatus.ERROR);
            assertThat(refused.attempts()).isZero();
            assertThat(refused.message()).contains("'claude' is not allowed");
            assertThat(sandbox.stub().messageRequests()).hasSize(1);
        }
    }

    private static final JsonNode SCHEMA = Sse.parse("""
            {"type":"object",
             "properties":{"answer":{"type":"integer"},"items":{"type":"array","items":{"type":"string"}}},
             "required":["answer","items"]}""");

    @Test
    void jsonAnswerMatchingTheSchemaSucceeds() {
        sandbox.stub().enqueue(Reply.json("{\"answer\":42,\"items\":[\"a\",\"b\"]}"));

        TaskResult r = run(task("Count the items").schema(SCHEMA));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
        ClaudeResult c = r.claude();
        assertThat(c.schemaErrors()).isEmpty();
        assertThat(c.json().path("answer").asInt()).isEqualTo(42);
        assertThat(c.json().path("items")).hasSize(2);
        // The prompt the CLI sent was wrapped with the schema.
        assertThat(sandbox.stub().messageRequests().getFirst().userText()).contains("Count the items",
                "matches this JSON schema", "\"required\"");
    }

    @Test
    void jsonAnswerOffTheSchemaFails() {
        sandbox.stub().enqueue(Reply.json("{\"answer\":\"many\"}"));

        TaskResult r = run(task("Count the items").schema(SCHEMA));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.FAILED);
        assertThat(r.result().exitCode()).isZero();
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.message()).contains("does not match the schema", "$: missing required property \"items\"",
                "$.answer: expected integer");
        assertThat(r.claude().json().path("answer").asString()).isEqualTo("many");
        assertThat(r.claude().schemaErrors()).hasSize(2);
        assertThat(sandbox.stub().messageRequests()).hasSize(1);
    }

    @Test
    void rateLimitRetriedByTheCliIsOneCcxAttempt() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)), Reply.text("Answered after the CLI's retry."));

        TaskResult r = run(task("Try again"));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.claude().text()).isEqualTo("Answered after the CLI's retry.");
        assertThat(listener.events(ClaudeEvent.ApiRetry.class)).singleElement().satisfies(e -> {
            assertThat(e.httpStatus()).isEqualTo(429);
            assertThat(e.attempt()).isEqualTo(1);
        });
        assertThat(r.claude().rateLimit()).isNull();
        assertThat(listener.retries).isEmpty();
        assertThat(listener.log).containsExactly("started 0");
        assertThat(sandbox.stub().messageRequests()).hasSize(2);
    }

    @Test
    void rateLimitTheCliGivesUpOnIsRetriedByCcx() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)), Reply.text("Answered by the second run."));
        RetryPolicy quick = new RetryPolicy(2, Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMinutes(2));

        // CLAUDE_CODE_MAX_RETRIES=0: the CLI reports the 429 as its result at once, instead of retrying it.
        TaskResult r = run(task(ClaudeCommand.of("Try again"), Map.of("CLAUDE_CODE_MAX_RETRIES", "0")).retry(quick));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.claude().text()).isEqualTo("Answered by the second run.");
        assertThat(listener.events(ClaudeEvent.ApiRetry.class)).isEmpty();
        assertThat(listener.events(ClaudeEvent.Result.class)).hasSize(2).first().satisfies(first -> {
            assertThat(first.isError()).isTrue();
            assertThat(first.apiErrorStatus()).isEqualTo(429);
        });
        assertThat(listener.retries).singleElement().asString().startsWith("attempt 1:").contains("rate limit");
        assertThat(listener.log).containsExactly("started 0", "started 0");
        assertThat(sandbox.stub().messageRequests()).hasSize(2);
        assertThat(sandbox.stub().pending()).isZero();
    }

    @Test
    void rateLimitBeyondTheRetryPolicyFailsWithTheCliError() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)));
        RetryPolicy never = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1));

        TaskResult r = run(task(ClaudeCommand.of("Try once"), Map.of("CLAUDE_CODE_MAX_RETRIES", "0")).retry(never));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.FAILED);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.result().exitCode()).isEqualTo(1);
        // The CLI reports an API error with subtype "success"; the message must not repeat that.
        assertThat(r.message()).startsWith("exit code 1: API Error: Request rejected (429)")
                .endsWith("; rate limit (HTTP 429); giving up after 1 of 1 attempts");
        assertThat(r.claude().rateLimit()).isNotNull();
        assertThat(r.claude().rateLimit().httpStatus()).isEqualTo(429);
        assertThat(listener.retries).isEmpty();
    }

    @Test
    void ccxRetryWaitsAtLeastAsLongAsTheCliDidBeforeGivingUp() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)), Reply.rateLimited(Duration.ofSeconds(1)),
                Reply.text("Answered by the second run."));
        RetryPolicy quick = new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(2));

        // The CLI retries the first 429 once (after retry-after 1 s plus jitter), then gives up on the second.
        TaskResult r = run(task(ClaudeCommand.of("Try again"), Map.of("CLAUDE_CODE_MAX_RETRIES", "1")).retry(quick));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.attempts()).isEqualTo(2);
        long cliDelay = listener.events(ClaudeEvent.ApiRetry.class).getFirst().retryDelayMs();
        assertThat(cliDelay).isGreaterThanOrEqualTo(1_000);
        // Not the policy's 0–100 ms back-off: the API asked for a second, and the CLI's last delay says so.
        assertThat(listener.retryDelays).singleElement()
                .satisfies(d -> assertThat(d.toMillis()).isGreaterThanOrEqualTo(cliDelay));
        assertThat(sandbox.stub().messageRequests()).hasSize(3);
    }

    @Test
    void batchOfClaudeTasksRunsThemAtOnceAndKeepsEachOutcomeApart() {
        // Replies are computed from each request, so the runs may reach the stub in any order.
        for (int i = 0; i < 3; i++) {
            sandbox.stub().enqueue(request -> {
                Matcher m = Pattern.compile("task (\\d)").matcher(request.userText());
                return Reply.text(m.find() ? "answer " + m.group(1) : "no task number");
            });
        }
        List<ClaudeTask> tasks = List.of(task("This is task 0."), task("This is task 1."),
                task("This is task 2, answer as JSON.").schema(SCHEMA));

        List<TaskResult> r = Batch.of(3, RUN_TIMEOUT).run(server.uri(), ClientOptions.defaults(),
                tasks, listener);

        assertThat(r.get(0).status()).as(describe(r.get(0))).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.get(0).claude().text()).isEqualTo("answer 0");
        assertThat(r.get(1).status()).as(describe(r.get(1))).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.get(1).claude().text()).isEqualTo("answer 1");
        assertThat(r.get(2).status()).as(describe(r.get(2))).isEqualTo(TaskStatus.FAILED);
        assertThat(r.get(2).message()).contains("does not match the schema");
        assertThat(r).extracting(t -> t.claude().sessionId()).doesNotHaveDuplicates();
        assertThat(sandbox.stub().messageRequests()).hasSize(3);
    }

    private static final Pattern ALPHA = Pattern.compile("alpha-(\\d+)");
    private static final Pattern BETA = Pattern.compile("beta-(\\d+)");



    @Test
    void taskListWhereEachClaudeRunUsesThePreviousOnesFile() {
        long n = ThreadLocalRandom.current().nextLong(1_000, 1_000_000);
        Path a = sandbox.cwd().resolve("a.txt");
        Path b = sandbox.cwd().resolve("b.txt");
        // t1 writes a.txt.
        sandbox.stub().enqueue(Reply.write(a.toString(), "alpha-" + n + "\n"), Reply.text("Wrote a.txt."));
        // t2 reads a.txt; the stub learns the number only from the Read result the CLI sends back, and writes b.txt.
        Reply.Message readA = Reply.read(a.toString());
        sandbox.stub().enqueue(readA);
        sandbox.stub().enqueue(request -> Reply.write(b.toString(),
                "beta-" + 2 * request.numberIn(readA.toolUseId(), ALPHA) + "\n"));
        sandbox.stub().enqueue(Reply.text("Wrote b.txt."));
        // t3 reads b.txt and answers from what it read.
        Reply.Message readB = Reply.read(b.toString());
        sandbox.stub().enqueue(readB);
        sandbox.stub().enqueue(request -> {
            long beta = request.numberIn(readB.toolUseId(), BETA);
            return Reply.text("b.txt holds beta-" + beta + ", so a.txt held alpha-" + beta / 2 + ".");
        });
        Task t1 = task("Write a.txt");
        Task t2 = task("Read a.txt and write b.txt with twice its number");
        Task t3 = task("Read b.txt and tell me what a.txt held");

        List<TaskResult> results = TaskList.of(true, t1, t2, t3).run(client, listener);

        for (TaskResult r : results) {
            assertThat(r.status()).as("task %d: %s", r.index(), describe(r)).isEqualTo(TaskStatus.SUCCESS);
        }
        assertThat(a).hasContent("alpha-" + n + "\n");
        assertThat(b).hasContent("beta-" + 2 * n + "\n");
        assertThat(results.get(2).claude().text()).isEqualTo("b.txt holds beta-" + 2 * n + ", so a.txt held alpha-"
                + n + ".");
        assertThat(results).extracting(r -> r.claude().toolCalls().stream().map(ToolCall::name).toList())
                .containsExactly(List.of("Write"), List.of("Read", "Write"), List.of("Read"));
        assertThat(results).extracting(r -> r.claude().sessionId()).doesNotHaveDuplicates();
        assertThat(listener.log).containsExactly("started 0", "finished 0 SUCCESS", "started 1", "finished 1 SUCCESS",
                "started 2", "finished 2 SUCCESS");
        assertThat(sandbox.stub().messageRequests()).extracting(RecordedRequest::reply).containsOnly("Message");
        assertThat(sandbox.stub().pending()).isZero();
    }

    @Test
    void timeoutKeepsTheTextWrittenSoFar() {
        String said = "Working on it: the first half of the answer is ready.";
        sandbox.stub().enqueue(Reply.stallAfterBlock(said, Duration.ofMinutes(2)));

        TaskResult r = run(task("Take your time").timeout(Duration.ofSeconds(8)));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.TIMEOUT);
        assertThat(r.result().reason()).isEqualTo(EndReason.TIMEOUT);
        assertThat(r.message()).contains("imed out");
        assertThat(r.attempts()).isEqualTo(1);
        ClaudeResult c = r.claude();
        assertThat(c.partial()).as(describe(r)).isTrue();
        assertThat(c.errorSubtype()).isEqualTo(ClaudeResult.NO_RESULT);
        // Without partial messages the CLI prints a text block once it is complete: that much is kept.
        assertThat(c.text()).as(describe(r)).isEqualTo(said);
        assertThat(c.numTurns()).isEqualTo(1);
        assertThat(c.sessionId()).isNotBlank();
        assertThat(c.costUsd()).isNull();
        assertThat(Groups.survivors(5_000)).isEmpty();
    }

    @Test
    void cancelKeepsTheStreamedTextOfAnUnfinishedBlock() {
        String streamed = "Working on it: the first half of the answer is ";
        sandbox.stub().enqueue(Reply.stallAfter(streamed, Duration.ofMinutes(2)));
        // The listener cancels the execution once the streamed text is all there.
        listener.cancelWhen = (event, run) -> run.progress().text().equals(streamed);

        // Partial messages: the CLI prints the text deltas as they stream, before the block is complete.
        TaskResult r = run(task(ClaudeCommand.of("Take your time").includePartialMessages(true), Map.of()));

        assertThat(r.status()).as(describe(r)).isEqualTo(TaskStatus.FAILED);
        assertThat(r.result().reason()).isEqualTo(EndReason.CANCELED);
        assertThat(r.claude().partial()).as(describe(r)).isTrue();
        assertThat(r.claude().text()).isEqualTo(streamed);
        assertThat(listener.events(ClaudeEvent.PartialText.class)).isNotEmpty();
        assertThat(Groups.survivors(5_000)).isEmpty();
    }

    /** Records what a {@link ClaudeListener} is told, and reports every started group to {@link Groups}. */
    private static final class Recorder implements ClaudeListener {
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<ClaudeEvent> events = new CopyOnWriteArrayList<>();
        final List<String> retries = new CopyOnWriteArrayList<>();
        final List<Duration> retryDelays = new CopyOnWriteArrayList<>();
        volatile int longestStdoutLine;
        volatile java.util.function.BiPredicate<ClaudeEvent, StreamJsonParser> cancelWhen;
        volatile RunningCommand current;

        @Override
        public void started(int index, Task task, RunningCommand execution) {
            Groups.saw(execution.pid());
            current = execution;
            log.add("started " + index);
        }

        @Override
        public void finished(TaskResult result) {
            log.add("finished " + result.index() + " " + result.status());
        }

        @Override
        public void event(int index, ClaudeEvent event, StreamJsonParser run) {
            events.add(event);
            var when = cancelWhen;
            RunningCommand execution = current; // set by started(), long before the stall's text streams
            if (when != null && execution != null && when.test(event, run)) {
                execution.close(); // CANCEL without waiting: this is the execution's callback thread
            }
        }

        @Override
        public void retrying(int index, int attempt, Duration delay, String reason) {
            retries.add("attempt " + attempt + ": " + reason);
            retryDelays.add(delay);
        }

        @Override
        public void output(int index, Stream stream, String line) {
            if (stream == Stream.STDOUT && line.length() > longestStdoutLine) {
                longestStdoutLine = line.length(); // one callback thread per execution, runs one at a time
            }
        }

        <T extends ClaudeEvent> List<T> events(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }
}
