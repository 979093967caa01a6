// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import tools.jackson.databind.JsonNode;

/**
 * The real Claude Code CLI (pinned, installed by src/test/resources/claude-code/install.sh) against
 * {@link StubAnthropicApi}, run directly with ProcessBuilder. Proves the stub is good enough for the CLI: plain
 * answers, a Write tool round trip, JSON answers, structured output, partial messages, and retry after 429.
 * Installation failure fails the tests (it never skips them).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClaudeCliStubIT {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final StubbedClaudeCli sandbox = new StubbedClaudeCli();

    private ClaudeCodeCli.Run claude(String prompt, String... extra) {
        return claude(Map.of(), RUN_TIMEOUT, prompt, extra);
    }

    private ClaudeCodeCli.Run claude(Map<String, String> env, Duration timeout, String prompt, String... extra) {
        List<String> args = new ArrayList<>(List.of("-p", prompt, "--output-format", "stream-json", "--verbose",
                "--permission-mode", "acceptEdits", "--allowedTools", "Write"));
        args.addAll(List.of(extra));
        Map<String, String> environment = sandbox.environment();
        environment.putAll(env);
        return ClaudeCodeCli.run(sandbox.cwd(), environment, args, timeout);
    }

    private static JsonNode successResult(ClaudeCodeCli.Run run) {
        assertThat(run.timedOut()).as(run.describe()).isFalse();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        JsonNode result = run.result().orElseThrow(() -> new AssertionError("no result event\n" + run.describe()));
        assertThat(result.path("subtype").asString()).as(run.describe()).isEqualTo("success");
        assertThat(result.path("is_error").asBoolean(true)).as(run.describe()).isFalse();
        return result;
    }

    @Test
    void plainTextAnswerIsTheResult() {
        sandbox.stub().enqueue(Reply.text("The answer is 42, from the sandbox.stub()."));

        ClaudeCodeCli.Run run = claude("What is the answer?");

        JsonNode result = successResult(run);
        assertThat(result.path("result").asString()).isEqualTo("The answer is 42, from the sandbox.stub().");
        JsonNode init = run.events("system", "init").getFirst();
        assertThat(init.path("claude_code_version").asString()).isEqualTo(ClaudeCodeCli.VERSION);
        assertThat(init.path("cwd").asString()).isEqualTo(sandbox.cwd().toString());
        assertThat(init.path("permissionMode").asString()).isEqualTo("acceptEdits");

        List<RecordedRequest> messages = sandbox.stub().messageRequests();
        assertThat(messages).as(sandbox.stub().requests().toString()).hasSize(1);
        RecordedRequest request = messages.getFirst();
        assertThat(request.streaming()).isTrue();
        assertThat(request.header("x-api-key")).isEqualTo("test");
        assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(request.header("user-agent")).startsWith("claude-cli/" + ClaudeCodeCli.VERSION);
        assertThat(request.userText()).contains("What is the answer?");
        assertThat(request.toolNames()).contains("Write");
        assertThat(sandbox.stub().unscripted()).isEmpty();
        assertThat(sandbox.stub().pending()).isZero();
    }

    @Test
    void writeToolCallCreatesTheFileAndItsResultComesBack() throws IOException {
        Path file = sandbox.cwd().resolve("hello.txt");
        Reply.Message write = Reply.write(file.toString(), "hello from the stub\nsecond line\n");
        sandbox.stub().enqueue(write, Reply.text("I wrote hello.txt."));

        ClaudeCodeCli.Run run = claude("Create hello.txt");

        JsonNode result = successResult(run);
        assertThat(result.path("result").asString()).isEqualTo("I wrote hello.txt.");
        assertThat(result.path("num_turns").asInt()).isEqualTo(2);
        assertThat(file).exists().hasContent("hello from the stub\nsecond line\n");

        // stream-json shows the tool call and its result
        assertThat(run.events("assistant", null)).anySatisfy(e -> assertThat(e.path("message").path("content")
                .get(0).path("name").asString()).isEqualTo("Write"));
        assertThat(run.events("user", null)).anySatisfy(e -> assertThat(e.path("message").path("content")
                .get(0).path("tool_use_id").asString()).isEqualTo(write.toolUseId()));

        // the stub received the tool_result in the second request
        List<RecordedRequest> messages = sandbox.stub().messageRequests();
        assertThat(messages).as(sandbox.stub().requests().toString()).hasSize(2);
        assertThat(messages.getFirst().toolResults()).isEmpty();
        JsonNode toolResult = messages.get(1).toolResult(write.toolUseId())
                .orElseThrow(() -> new AssertionError("no tool_result for " + write.toolUseId()));
        assertThat(toolResult.path("is_error").asBoolean(false)).as(toolResult.toString()).isFalse();
        assertThat(RecordedRequest.toolResultText(toolResult)).contains("File created successfully", file.toString());
    }

    @Test
    void jsonAnswerIsPassedThroughAsTheResult() {
        String json = "{\"answer\":42,\"items\":[\"a\",\"b\"],\"nested\":{\"ok\":true}}";
        sandbox.stub().enqueue(Reply.json(json));

        ClaudeCodeCli.Run run = claude("Answer in JSON");

        JsonNode result = successResult(run);
        assertThat(Sse.parse(result.path("result").asString())).isEqualTo(Sse.parse(json));
    }

    @Test
    void structuredOutputWithJsonSchema() {
        sandbox.stub().enqueue(Reply.structuredOutput("{\"answer\":\"42\"}"), Reply.text("Done."));

        ClaudeCodeCli.Run run = claude("Answer with the schema", "--json-schema",
                "{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}},\"required\":[\"answer\"]}");

        JsonNode result = successResult(run);
        assertThat(result.path("structured_output").path("answer").asString()).as(run.describe()).isEqualTo("42");
        assertThat(sandbox.stub().messageRequests().getFirst().toolNames()).contains("StructuredOutput");
    }

    @Test
    void partialMessagesStreamTheTextDeltas() {
        String text = "A longer answer that the stub streams in several text_delta events.";
        sandbox.stub().chunkSize(8).enqueue(Reply.text(text));

        ClaudeCodeCli.Run run = claude("Stream it", "--include-partial-messages");

        successResult(run);
        StringBuilder streamed = new StringBuilder();
        List<String> types = new ArrayList<>();
        for (JsonNode e : run.events("stream_event", null)) {
            types.add(e.path("event").path("type").asString());
            JsonNode delta = e.path("event").path("delta");
            if ("text_delta".equals(delta.path("type").asString())) {
                streamed.append(delta.path("text").asString());
            }
        }
        assertThat(types).startsWith("message_start").endsWith("message_stop")
                .contains("content_block_start", "content_block_delta", "content_block_stop", "message_delta");
        assertThat(streamed.toString()).isEqualTo(text);
    }

    @Test
    void thinkingThenTextThenToolUseInOneTurn() throws IOException {
        Path file = sandbox.cwd().resolve("notes.md");
        sandbox.stub().enqueue(Reply.message("tool_use", new Reply.Thinking("The user wants a file."),
                        new Reply.Text("Writing notes.md now."),
                        new Reply.ToolUse("toolu_custom_1", "Write",
                                "{\"file_path\":" + Sse.quote(file.toString()) + ",\"content\":\"# Notes\\n\"}")),
                Reply.text("Done."));

        ClaudeCodeCli.Run run = claude("Write notes");

        JsonNode result = successResult(run);
        assertThat(result.path("result").asString()).isEqualTo("Done.");
        assertThat(file).hasContent("# Notes\n");
        assertThat(sandbox.stub().messageRequests().get(1).toolResult("toolu_custom_1")).isPresent();
    }

    @Test
    void rateLimitIsRetriedAndReportedThenSucceeds() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)), Reply.text("Answered after the retry."));

        ClaudeCodeCli.Run run = claude("Try again");

        JsonNode result = successResult(run);
        assertThat(result.path("result").asString()).isEqualTo("Answered after the retry.");
        List<JsonNode> retries = run.events("system", "api_retry");
        assertThat(retries).as(run.describe()).hasSize(1);
        JsonNode retry = retries.getFirst();
        assertThat(retry.path("attempt").asInt()).isEqualTo(1);
        assertThat(retry.path("error_status").asInt()).isEqualTo(429);
        assertThat(retry.path("retry_delay_ms").asLong()).isGreaterThanOrEqualTo(1000);
        assertThat(sandbox.stub().messageRequests()).hasSize(2);
    }

    @Test
    void rateLimitThatOutlastsTheRetriesEndsInAnError() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)), Reply.rateLimited(Duration.ofSeconds(1)),
                Reply.rateLimited(Duration.ofSeconds(1)));

        // the CLI retries 10 times by default; CLAUDE_CODE_MAX_RETRIES bounds it
        ClaudeCodeCli.Run run = claude(Map.of("CLAUDE_CODE_MAX_RETRIES", "2"), RUN_TIMEOUT, "Keep trying");

        assertThat(run.timedOut()).as(run.describe()).isFalse();
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.events("system", "api_retry")).as(run.describe()).hasSize(2);
        JsonNode result = run.result().orElseThrow(() -> new AssertionError(run.describe()));
        assertThat(result.path("is_error").asBoolean(false)).as(run.describe()).isTrue();
        assertThat(result.path("api_error_status").asInt()).isEqualTo(429);
        assertThat(result.path("result").asString()).contains("429", "rate limit");
        assertThat(sandbox.stub().messageRequests()).hasSize(3);
        assertThat(sandbox.stub().pending()).isZero();
    }

    @Test
    void stalledStreamIsCutByTheRunTimeoutAndTheProcessTreeIsGone() {
        sandbox.stub().enqueue(Reply.stall(Duration.ofMinutes(2)));

        ClaudeCodeCli.Run run = claude(Map.of(), Duration.ofSeconds(6), "Hang");

        assertThat(run.timedOut()).as(run.describe()).isTrue();
        assertThat(run.exitCode()).isNull();
        assertThat(sandbox.stub().messageRequests()).hasSize(1);
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false)).toList()).isEmpty();
    }

    @Test
    void unscriptedRequestEndsTheRunWithAnError() {
        // no reply scripted: the stub answers 403, which the CLI neither retries nor works around
        ClaudeCodeCli.Run run = claude("Nothing scripted");

        assertThat(run.timedOut()).as(run.describe()).isFalse();
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        JsonNode result = run.result().orElseThrow(() -> new AssertionError(run.describe()));
        // note: subtype stays "success" on an API error; is_error and api_error_status tell
        assertThat(result.path("is_error").asBoolean(false)).as(run.describe()).isTrue();
        assertThat(result.path("api_error_status").asInt()).as(run.describe()).isEqualTo(403);
        assertThat(result.path("result").asString()).contains("no scripted reply left");
        assertThat(sandbox.stub().unscripted()).as(run.describe()).hasSize(1);
    }
}
