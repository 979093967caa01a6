// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ccx.protocol.Wire;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class StreamJsonParserTest {
    private final List<ClaudeEvent> events = new ArrayList<>();
    private final StreamJsonParser parser = new StreamJsonParser(events::add,
            Clock.fixed(Instant.parse("2026-11-24T08:00:00Z"), ZoneOffset.UTC));

    private ClaudeResult feed(String block) {
        Fixtures.lines(block).forEach(parser::accept);
        return parser.finish();
    }

    private <T extends ClaudeEvent> List<T> only(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void anEchoedUserMessageIsThePromptAndAParsedNodeGivesTheSameEventsAsItsText() {
        String echo = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Hello\"},{\"type\":\"image\"},{\"type\":\"text\",\"text\":\"there\"}]},"
                + "\"session_id\":\"s\",\"isReplay\":true}";
        parser.accept(echo);
        parser.accept(Wire.mapper().readTree(echo), echo);

        assertThat(only(ClaudeEvent.UserPrompt.class)).hasSize(2)
                .allSatisfy(p -> assertThat(p.text()).isEqualTo("Hello\nthere"));
        assertThat(parser.progress().lines()).isEqualTo(2);
    }

    @Test
    void simpleRunGivesInitTextAndResult() {
        ClaudeResult r = feed(Fixtures.SIMPLE);

        assertThat(events).hasSize(3);
        ClaudeEvent.Init init = (ClaudeEvent.Init) events.get(0);
        assertThat(init.sessionId()).isEqualTo("8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11");
        assertThat(init.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(init.cwd()).isEqualTo("/work/repo");
        assertThat(init.permissionMode()).isEqualTo("acceptEdits");
        assertThat(init.tools()).contains("Bash", "Write").hasSize(9);
        assertThat(init.mcpServers()).containsExactly("github:connected", "db:failed");
        assertThat(init.version()).isEqualTo("2.1.330");
        assertThat(events.get(1)).isEqualTo(new ClaudeEvent.AssistantText("4", "msg_01AbC", null, null));

        assertThat(r.partial()).isFalse();
        assertThat(r.isError()).isFalse();
        assertThat(r.errorSubtype()).isNull();
        assertThat(r.text()).isEqualTo("4");
        assertThat(r.sessionId()).isEqualTo("8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11");
        assertThat(r.costUsd()).isEqualTo(0.0123);
        assertThat(r.usage()).isEqualTo(new Usage(3, 5, 1200, 14000));
        assertThat(r.usage().totalInputTokens()).isEqualTo(15203);
        assertThat(r.numTurns()).isEqualTo(1);
        assertThat(r.durationMs()).isEqualTo(2710);
        assertThat(r.durationApiMs()).isEqualTo(2502);
        assertThat(r.rateLimit()).isNull();
        assertThat(r.ok()).isTrue();
    }

    @Test
    void toolUseTurnGivesToolEventsAndCountsEachResponseOnce() {
        Fixtures.lines(Fixtures.TOOL_TURN).forEach(parser::accept);

        List<ClaudeEvent.ToolUse> uses = only(ClaudeEvent.ToolUse.class);
        assertThat(uses).extracting(ClaudeEvent.ToolUse::name).containsExactly("Write", "Bash");
        assertThat(uses.get(0).id()).isEqualTo("toolu_01W");
        assertThat(uses.get(0).input().path("file_path").stringValue()).isEqualTo("/work/repo/hello.txt");
        assertThat(uses.get(0).messageId()).isEqualTo("msg_01T1");

        List<ClaudeEvent.ToolResult> results = only(ClaudeEvent.ToolResult.class);
        assertThat(results).containsExactly(
                new ClaudeEvent.ToolResult("toolu_01W", "File created successfully at: /work/repo/hello.txt", false),
                new ClaudeEvent.ToolResult("toolu_02B", "cat: /work/repo/missing: No such file or directory", true));
        // The thinking-only line is reported, not dropped.
        assertThat(only(ClaudeEvent.Unknown.class)).singleElement()
                .satisfies(u -> assertThat(u.subtype()).isEqualTo("thinking"));

        Progress p = parser.progress();
        assertThat(p.turns()).isEqualTo(2); // msg_01T1 (four lines) and msg_01T2
        assertThat(p.toolCalls()).isEqualTo(2);
        // msg_01T1's usage is repeated on four lines but counted once.
        assertThat(p.usage()).isEqualTo(new Usage(17, 52, 0, 1200));
        assertThat(p.text()).isEqualTo("I'll create the file.\n\nDone: hello.txt exists.");
        assertThat(p.finished()).isTrue();
        assertThat(p.sessionId()).isEqualTo("s-tool"); // the result's id is the last word

        ClaudeResult r = parser.finish();
        assertThat(r.text()).isEqualTo("Done: hello.txt exists.");
        assertThat(r.sessionId()).isEqualTo("s-tool"); // the result's own id wins
        assertThat(r.numTurns()).isEqualTo(3);
        assertThat(r.toolCalls()).containsExactly(
                new ToolCall("toolu_01W", "Write", "{\"file_path\":\"/work/repo/hello.txt\",\"content\":\"hello\\n\"}",
                        false),
                new ToolCall("toolu_02B", "Bash",
                        "{\"command\":\"cat /work/repo/missing\",\"description\":\"Show it\"}",
                        true));
    }

    @Test
    void partialMessagesStreamTextWithoutDoublingIt() {
        List<String> lines = Fixtures.lines(Fixtures.PARTIAL);
        // Up to and including the third delta: the text so far is the deltas.
        for (String line : lines.subList(0, 6)) {
            parser.accept(line);
        }
        assertThat(parser.progress().text()).isEqualTo("Hello, world");
        assertThat(parser.progress().usage().inputTokens()).isEqualTo(4);
        assertThat(only(ClaudeEvent.PartialText.class)).containsExactly(
                new ClaudeEvent.PartialText("Hel", "msg_01P", 0),
                new ClaudeEvent.PartialText("lo, ", "msg_01P", 0),
                new ClaudeEvent.PartialText("world", "msg_01P", 0));

        lines.subList(6, lines.size()).forEach(parser::accept);
        Progress p = parser.progress();
        assertThat(p.text()).isEqualTo("Hello, world"); // the complete message replaced the deltas
        assertThat(p.turns()).isEqualTo(1);
        assertThat(p.usage()).isEqualTo(new Usage(4, 6, 0, 900));
        assertThat(only(ClaudeEvent.AssistantText.class)).hasSize(1);
        // message_start, content_block_start/stop, message_delta, message_stop
        assertThat(only(ClaudeEvent.Unknown.class)).extracting(ClaudeEvent.Unknown::subtype)
                .containsExactly("message_start", "content_block_start", "content_block_stop", "message_delta",
                        "message_stop");
        assertThat(parser.finish().text()).isEqualTo("Hello, world");
    }

    @Test
    void deltasOfALaterBlockShowBeforeItsCompleteLine() {
        String start = "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_start\",\"message\":"
                + "{\"id\":\"msg_2b\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}}";
        parser.accept(start);
        parser.accept(delta(0, "First "));
        parser.accept(delta(0, "block."));
        parser.accept(assistantText("msg_2b", "First block."));
        parser.accept(delta(1, "Second"));

        assertThat(parser.progress().text()).isEqualTo("First block.Second");

        parser.accept(delta(1, " block."));
        parser.accept(assistantText("msg_2b", "Second block."));
        assertThat(parser.progress().text()).isEqualTo("First block.Second block.");
        assertThat(parser.progress().turns()).isEqualTo(1);
    }

    private static String delta(int index, String text) {
        return "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}},\"parent_tool_use_id\":null}";
    }

    private static String assistantText(String id, String text) {
        return "{\"type\":\"assistant\",\"message\":{\"id\":\"" + id + "\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"" + text + "\"}]},\"parent_tool_use_id\":null}";
    }

    @Test
    void apiRetryEventsAreTypedAndCounted() {
        ClaudeResult r = feed(Fixtures.API_RETRY);

        assertThat(only(ClaudeEvent.ApiRetry.class)).containsExactly(
                new ClaudeEvent.ApiRetry(1, 10, 527L, 529, "overloaded"),
                new ClaudeEvent.ApiRetry(2, 10, 1130L, 429, "rate_limit"),
                new ClaudeEvent.ApiRetry(3, 10, 2210L, null, "unknown"));
        assertThat(parser.progress().apiRetries()).isEqualTo(3);
        // The CLI recovered: the run succeeded and carries no limit.
        assertThat(r.ok()).isTrue();
        assertThat(r.rateLimit()).isNull();
    }

    @Test
    void anUnrecognisedApiErrorAfterRetriesKeepsTheRetriedLimit() {
        parser.accept("{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":1,\"max_retries\":1,"
                + "\"retry_delay_ms\":900,\"error_status\":429,\"error\":\"rate_limit\"}");
        parser.accept("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,"
                + "\"result\":\"API Error: Request rejected\",\"num_turns\":1}");

        ClaudeResult r = parser.finish();
        assertThat(r.isError()).isTrue();
        assertThat(r.rateLimit().kind()).isEqualTo(RateLimits.Kind.RATE_LIMIT);

        // But a run that fails for another reason is not blamed on a limit the CLI got over.
        StreamJsonParser other = new StreamJsonParser();
        other.accept("{\"type\":\"system\",\"subtype\":\"api_retry\",\"error_status\":529}");
        other.accept("{\"type\":\"result\",\"subtype\":\"error_max_turns\",\"is_error\":true}");
        assertThat(other.finish().rateLimit()).isNull();
    }

    @Test
    void maxTurnsKeepsTheTextSoFar() {
        ClaudeResult r = feed(Fixtures.MAX_TURNS);

        assertThat(r.isError()).isTrue();
        assertThat(r.errorSubtype()).isEqualTo("error_max_turns");
        assertThat(r.partial()).isFalse();
        assertThat(r.text()).isEqualTo("Let me look at the tests.");
        assertThat(r.toolCalls()).extracting(ToolCall::name).containsExactly("Glob");
        assertThat(r.rateLimit()).isNull();
    }

    @Test
    void errorDuringExecutionReportsItsErrors() {
        ClaudeResult r = feed(Fixtures.DURING_EXECUTION);

        assertThat(r.isError()).isTrue();
        assertThat(r.errorSubtype()).isEqualTo("error_during_execution");
        assertThat(r.errors()).containsExactly("Tool permission request failed: denied");
        assertThat(r.text()).isEmpty();
        assertThat(r.costUsd()).isEqualTo(0.0);
    }

    @Test
    void apiErrorIsAnErrorWithARateLimit() {
        ClaudeResult r = feed(Fixtures.API_ERROR_429);

        assertThat(only(ClaudeEvent.AssistantText.class)).singleElement()
                .satisfies(a -> assertThat(a.apiError()).isEqualTo("rate_limit"));
        assertThat(r.isError()).isTrue();
        assertThat(r.errorSubtype()).isEqualTo("success");
        assertThat(r.text()).startsWith("API Error: 429");
        assertThat(r.rateLimit().kind()).isEqualTo(RateLimits.Kind.RATE_LIMIT);
        assertThat(r.rateLimit().httpStatus()).isEqualTo(429);
    }

    @Test
    void usageLimitTextsAndEventsGiveTheResetTime() {
        ClaudeResult old = feed(Fixtures.USAGE_LIMIT_EPOCH);
        assertThat(old.rateLimit().kind()).isEqualTo(RateLimits.Kind.USAGE_LIMIT);
        assertThat(old.rateLimit().resetAt()).isEqualTo(Instant.ofEpochSecond(1750708800));

        events.clear();
        StreamJsonParser second = new StreamJsonParser(events::add,
                Clock.fixed(Instant.parse("2026-11-24T08:00:00Z"), ZoneOffset.UTC));
        Fixtures.lines(Fixtures.USAGE_LIMIT_EVENT).forEach(second::accept);
        assertThat(only(ClaudeEvent.RateLimit.class)).containsExactly(
                new ClaudeEvent.RateLimit("rejected", Instant.ofEpochSecond(1764000000), "five_hour", false));
        ClaudeResult r = second.finish();
        assertThat(r.rateLimit().kind()).isEqualTo(RateLimits.Kind.USAGE_LIMIT);
        // 3pm in Paris (UTC+1 in November) after 08:00 UTC the same day.
        assertThat(r.rateLimit().resetAt()).isEqualTo(Instant.parse("2026-11-24T14:00:00Z"));
    }

    @Test
    void unknownTypesAndFieldsAreReportedAndIgnored() {
        Fixtures.lines(Fixtures.UNKNOWN_TYPES).forEach(parser::accept);

        assertThat(events).hasSize(6);
        assertThat(only(ClaudeEvent.Unknown.class)).extracting(ClaudeEvent.Unknown::type, ClaudeEvent.Unknown::subtype)
                .containsExactly(
                        Tuple.tuple("system", "compact_boundary"),
                        Tuple.tuple("system", "status"),
                        Tuple.tuple("tool_progress", null),
                        Tuple.tuple("brand_new_thing", null),
                        Tuple.tuple("user", null));
        assertThat(events.get(5)).isEqualTo(new ClaudeEvent.AssistantText("hi", "msg_U", null, null));
        Progress p = parser.progress();
        assertThat(p.usage()).isEqualTo(new Usage(0, 2, 0, 0)); // a non-numeric count reads as 0
        assertThat(p.unparsed()).isZero();
        assertThat(p.sessionId()).isEqualTo("s-u");
    }

    @Test
    void garbageLinesNeverThrow() {
        assertThatCode(() -> Fixtures.GARBAGE.forEach(parser::accept)).doesNotThrowAnyException();
        assertThatCode(() -> parser.accept(null)).doesNotThrowAnyException();
        parser.accept("   ");
        parser.accept("");

        Progress p = parser.progress();
        assertThat(p.lines()).isEqualTo(Fixtures.GARBAGE.size()); // blank lines are not counted
        // Not JSON objects: the prose, the cut-off object, the array, the number, the string, the control
        // characters, the wrapper's message, "}{".
        assertThat(p.unparsed()).isEqualTo(8);
        assertThat(events).hasSize(Fixtures.GARBAGE.size()).allMatch(e -> e instanceof ClaudeEvent.Unknown
                || e instanceof ClaudeEvent.Result);
        assertThat(events.getFirst()).isEqualTo(new ClaudeEvent.Unknown(null, null, null, "not json at all"));

        // The result with wrong field types still counts as a result, with the fields read as absent.
        ClaudeResult r = parser.finish();
        assertThat(r.partial()).isFalse();
        assertThat(r.isError()).isTrue(); // no subtype "success"
        assertThat(r.numTurns()).isZero();
        assertThat(r.text()).isEmpty();
    }

    @Test
    void fiveMegabyteLineIsParsed() {
        String big = "x".repeat(5 * 1024 * 1024);
        var line = Wire.mapper().createObjectNode();
        line.put("type", "assistant");
        var message = line.putObject("message");
        message.put("id", "msg_big");
        message.putArray("content").addObject().put("type", "text").put("text", big);
        message.putObject("usage").put("input_tokens", 1).put("output_tokens", 1_300_000);
        parser.accept(line.toString());
        parser.accept("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"after-big\"}");

        assertThat(only(ClaudeEvent.AssistantText.class)).singleElement()
                .satisfies(a -> assertThat(a.text()).hasSize(big.length()));
        Progress p = parser.progress();
        assertThat(p.text()).hasSize(big.length());
        assertThat(p.usage().outputTokens()).isEqualTo(1_300_000);
        assertThat(only(ClaudeEvent.Init.class)).singleElement()
                .satisfies(i -> assertThat(i.sessionId()).isEqualTo("after-big"));
    }

    @Test
    void aRunWithoutResultIsPartialAndKeepsEverything() {
        List<String> lines = Fixtures.lines(Fixtures.TOOL_TURN);
        // Stop before the final response and the result, as a timeout or cancel would.
        lines.subList(0, lines.size() - 2).forEach(parser::accept);
        parser.accept("{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":4,\"max_retries\":10,"
                + "\"retry_delay_ms\":8000,\"error_status\":529,\"error\":\"overloaded\"}");

        ClaudeResult r = parser.finish();
        assertThat(r.partial()).isTrue();
        assertThat(r.isError()).isTrue();
        assertThat(r.errorSubtype()).isEqualTo(ClaudeResult.NO_RESULT);
        assertThat(r.text()).isEqualTo("I'll create the file.");
        assertThat(r.toolCalls()).hasSize(2);
        assertThat(r.numTurns()).isEqualTo(1);
        assertThat(r.usage()).isEqualTo(new Usage(10, 40, 0, 500));
        assertThat(r.costUsd()).isNull();
        assertThat(r.sessionId()).isEqualTo("8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11");
        // What the CLI was struggling with when it was stopped.
        assertThat(r.rateLimit().kind()).isEqualTo(RateLimits.Kind.OVERLOADED);
        assertThat(r.ok()).isFalse();
    }

    @Test
    void partialRunWithOnlyDeltasKeepsTheStreamedText() {
        List<String> lines = Fixtures.lines(Fixtures.PARTIAL);
        lines.subList(0, 5).forEach(parser::accept); // init, message_start, block start, "Hel", "lo, "

        ClaudeResult r = parser.finish();
        assertThat(r.partial()).isTrue();
        assertThat(r.text()).isEqualTo("Hello, ");
    }

    @Test
    void subAgentTextIsReportedButNotPartOfTheAnswer() {
        parser.accept("""
                {"type":"assistant","message":{"id":"msg_sub","content":[{"type":"text","text":"sub-agent notes"}],\
                "usage":{"input_tokens":100,"output_tokens":10}},"parent_tool_use_id":"toolu_task",\
                "session_id":"s"}""");
        parser.accept("""
                {"type":"assistant","message":{"id":"msg_main","content":[{"type":"text","text":"main answer"}],\
                "usage":{"input_tokens":1,"output_tokens":2}},"parent_tool_use_id":null,"session_id":"s"}""");

        assertThat(only(ClaudeEvent.AssistantText.class)).extracting(ClaudeEvent.AssistantText::parentToolUseId)
                .containsExactly("toolu_task", null);
        Progress p = parser.progress();
        assertThat(p.text()).isEqualTo("main answer");
        assertThat(p.turns()).isEqualTo(1);
        assertThat(p.usage()).isEqualTo(new Usage(101, 12, 0, 0)); // sub-agents cost tokens too
    }

    @Test
    void acceptReturnsTheLinesEventsAndListenerSeesThemInOrder() {
        List<String> lines = Fixtures.lines(Fixtures.MAX_TURNS);
        List<ClaudeEvent> returned = parser.accept(lines.get(1));

        assertThat(returned).hasSize(2).containsExactlyElementsOf(events);
        assertThat(returned.get(0)).isInstanceOf(ClaudeEvent.AssistantText.class);
        assertThat(returned.get(1)).isInstanceOf(ClaudeEvent.ToolUse.class);
    }

    @Test
    void crLfLineEndingsAreTolerated() {
        parser.accept(Fixtures.lines(Fixtures.SIMPLE).get(2) + "\r\n");

        assertThat(parser.finished()).isTrue();
        assertThat(parser.finish().text()).isEqualTo("4");
    }
}
