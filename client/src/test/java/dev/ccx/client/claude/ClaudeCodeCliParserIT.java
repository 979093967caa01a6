// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.claude.stub.ClaudeCodeCli;
import dev.ccx.client.claude.stub.StubbedClaudeCli;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ClaudeCommand} and {@link StreamJsonParser} against the real, pinned Claude Code CLI talking to
 * {@link StubAnthropicApi}: the argv is accepted as built (prompts with shell metacharacters, a leading dash), and
 * the parser understands what this CLI version actually prints (no unparsed lines; tool calls, partial messages,
 * api_retry and error results are typed).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClaudeCodeCliParserIT {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final StubbedClaudeCli sandbox = new StubbedClaudeCli();

    /** Runs the command (its first element is replaced by the pinned CLI) and parses stdout. */
    private Parsed run(ClaudeCommand command, Map<String, String> extraEnv) {
        List<String> argv = command.argv();
        Map<String, String> env = sandbox.environment();
        env.putAll(extraEnv);
        ClaudeCodeCli.Run run = ClaudeCodeCli.run(sandbox.cwd(), env, argv.subList(1, argv.size()), RUN_TIMEOUT);
        List<ClaudeEvent> events = new ArrayList<>();
        StreamJsonParser parser = new StreamJsonParser(events::add);
        run.stdout().forEach(parser::accept);
        return new Parsed(run, events, parser.progress(), parser.finish());
    }

    private record Parsed(ClaudeCodeCli.Run run, List<ClaudeEvent> events, Progress progress, ClaudeResult result) {
        <T extends ClaudeEvent> List<T> only(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    @Test
    void toolTurnWithPartialMessagesIsFullyTyped() {
        Path file = sandbox.cwd().resolve("out.txt");
        String prompt = "Write \"it\" to out.txt; don't run $(rm -rf /) or `id`\nthanks \\ bye";
        sandbox.stub().enqueue(Reply.toolUse("I'll write the file.", "Write",
                "{\"file_path\":\"" + file + "\",\"content\":\"it\\n\"}"), Reply.text("Done: out.txt written."));

        Parsed p = run(ClaudeCommand.of(prompt).allowedTools(List.of("Write"))
                .permissionMode(ClaudeCommand.PermissionMode.ACCEPT_EDITS).includePartialMessages(true), Map.of());

        assertThat(p.run().exitCode()).as(p.run().describe()).isZero();
        assertThat(sandbox.stub().messageRequests().getFirst().userText()).contains(prompt);
        assertThat(file).hasContent("it\n");

        assertThat(p.only(ClaudeEvent.Init.class)).singleElement().satisfies(init -> {
            assertThat(init.version()).isEqualTo(ClaudeCodeCli.VERSION);
            assertThat(init.permissionMode()).isEqualTo("acceptEdits");
            assertThat(init.cwd()).isEqualTo(sandbox.cwd().toString());
            assertThat(init.tools()).contains("Write");
            assertThat(init.sessionId()).isNotBlank();
        });
        assertThat(p.only(ClaudeEvent.ToolUse.class)).singleElement()
                .satisfies(u -> assertThat(u.name()).isEqualTo("Write"));
        assertThat(p.only(ClaudeEvent.ToolResult.class)).singleElement()
                .satisfies(r -> assertThat(r.isError()).as(r.content()).isFalse());
        String streamed = String.join("", p.only(ClaudeEvent.PartialText.class).stream()
                .map(ClaudeEvent.PartialText::text).toList());
        assertThat(streamed).isEqualTo("I'll write the file.Done: out.txt written.");

        assertThat(p.progress().unparsed()).as(p.run().describe()).isZero();
        assertThat(p.progress().turns()).isEqualTo(2);
        assertThat(p.progress().text()).isEqualTo("I'll write the file.\n\nDone: out.txt written.");

        ClaudeResult r = p.result();
        assertThat(r.ok()).as(p.run().describe()).isTrue();
        assertThat(r.text()).isEqualTo("Done: out.txt written.");
        assertThat(r.numTurns()).isEqualTo(2);
        assertThat(r.sessionId()).isEqualTo(p.only(ClaudeEvent.Init.class).getFirst().sessionId());
        assertThat(r.toolCalls()).extracting(ToolCall::name).containsExactly("Write");
        assertThat(r.usage().outputTokens()).isPositive();
        assertThat(r.costUsd()).isNotNull();
        assertThat(r.durationMs()).isNotNull();
    }

    @Test
    void promptWithALeadingDashReachesClaude() {
        sandbox.stub().enqueue(Reply.text("It means verbose."));

        Parsed p = run(ClaudeCommand.of("-v: what does it mean?").allowedTools(List.of("Read")), Map.of());

        assertThat(p.run().exitCode()).as(p.run().describe()).isZero();
        assertThat(sandbox.stub().messageRequests().getFirst().userText()).contains("-v: what does it mean?");
        assertThat(p.result().text()).isEqualTo("It means verbose.");
    }

    @Test
    void rateLimitBeyondTheClisRetriesIsRecognised() {
        sandbox.stub().enqueue(Reply.rateLimited(Duration.ofSeconds(1)), Reply.rateLimited(Duration.ofSeconds(1)));

        Parsed p = run(ClaudeCommand.of("Keep trying"), Map.of("CLAUDE_CODE_MAX_RETRIES", "1"));

        assertThat(p.only(ClaudeEvent.ApiRetry.class)).as(p.run().describe()).singleElement().satisfies(retry -> {
            assertThat(retry.httpStatus()).isEqualTo(429);
            assertThat(retry.error()).isEqualTo("rate_limit");
            assertThat(retry.retryDelayMs()).isGreaterThanOrEqualTo(1000);
        });
        ClaudeResult r = p.result();
        assertThat(r.isError()).as(p.run().describe()).isTrue();
        assertThat(r.partial()).isFalse();
        assertThat(r.rateLimit()).isNotNull();
        assertThat(r.rateLimit().kind()).isEqualTo(RateLimits.Kind.RATE_LIMIT);
        assertThat(r.rateLimit().httpStatus()).isEqualTo(429);
        assertThat(RetryPolicy.DEFAULT.decide(1, Duration.ZERO, r.rateLimit(), Instant.now(),
                new SplittableRandom(1)).retry()).isTrue();
        assertThat(p.progress().unparsed()).isZero();
    }
}
