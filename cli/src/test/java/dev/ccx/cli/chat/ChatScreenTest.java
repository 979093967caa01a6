// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeResult;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.client.claude.Usage;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Wait;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChatScreenTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ChatScreen screen = new ChatScreen(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    private final LineSource lines = new LineSource(System::nanoTime);

    private String shown() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A turn's result as the session reports it; one without a prompt stands for an adopted turn. */
    static TurnResult result(String prompt, String terminalReason, boolean isError, String subtype, Double cost,
            Duration took, boolean timedOut) {
        ClaudeResult c = new ClaudeResult("text", isError, subtype, "s-1", null, new Usage(1_000, 35, 200, 0), 1,
                null, null, List.of(), false, List.of(), null, null, List.of());
        return new TurnResult(1, prompt, c, terminalReason, cost, took, timedOut, prompt == null);
    }

    @Test
    void streamedTextShowsOnceAndEveryToolCallAndFooterOnALineOfItsOwn() {
        screen.event(new ClaudeEvent.PartialText("Hel", "msg_1", 0));
        screen.event(new ClaudeEvent.PartialText("lo.", "msg_1", 0));
        screen.event(new ClaudeEvent.AssistantText("Hello.", "msg_1", null, null));
        screen.event(new ClaudeEvent.ToolUse("toolu_1", "Write",
                Wire.mapper().readTree("{\"file_path\":\"/t/a.txt\",\"content\":\"x\"}"), "msg_1", null));
        screen.event(new ClaudeEvent.AssistantText("Not streamed.", "msg_2", null, null));
        screen.event(new ClaudeEvent.PartialText("Streamed", "msg_3", 0));
        screen.turn(result("p", "completed", false, null, 0.0012, Duration.ofMillis(2_300), false), null);

        assertThat(shown()).isEqualTo("Hello.\n[Write /t/a.txt]\nNot streamed.\nStreamed\n"
                + "[$0.0012 · 1.2k in / 35 out tokens · 2.3s]\n");
    }

    @Test
    void theFooterSaysHowATurnEndedWhenItDidNotComplete() {
        assertThat(TurnText.footer(result("p", "aborted_streaming", true, "error_during_execution", 0.0001,
                Duration.ofSeconds(1), false))).startsWith("[interrupted · $0.0001 · ");
        assertThat(TurnText.footer(result("p", "aborted_streaming", true, "error_during_execution", null,
                Duration.ofSeconds(1), true))).startsWith("[timed out, interrupted · 1.2k in");
        assertThat(TurnText.footer(result("p", TurnResult.PROCESS_ENDED, true, ClaudeResult.NO_RESULT, null,
                Duration.ofSeconds(1), false))).startsWith("[the Claude process ended · ");
        assertThat(TurnText.footer(result("p", "max_turns", true, "error_max_turns", 0.5, Duration.ofSeconds(1),
                false))).startsWith("[error: error_max_turns · $0.5000 · ");
        assertThat(TurnText.footer(result(null, "completed", false, null, null, Duration.ZERO, false)))
                .as("a replayed turn was not timed here").isEqualTo("[1.2k in / 35 out tokens]");
    }

    @Test
    void aLineTypedAheadIsShownAfterThePromptThatTakesIt() throws InterruptedException {
        lines.add("typed during the turn");

        assertThat(screen.readPrompt(lines).text()).isEqualTo("typed during the turn");

        assertThat(shown()).isEqualTo("> typed during the turn\n");
    }

    @Test
    void outputWhileThePromptWaitsGoesBelowItAndThePromptComesBack() throws Exception {
        CompletableFuture<String> typed = CompletableFuture.supplyAsync(() -> {
            try {
                return screen.readPrompt(lines).text();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Wait.until(5_000, "the prompt", () -> shown().equals("> "));

        screen.turnEnded(result(null, "completed", false, null, null, Duration.ZERO, false));
        screen.turnEnded(result("sent by this chat: its footer comes from the main thread", "completed", false,
                null, null, Duration.ZERO, false));
        lines.add("hello");

        assertThat(typed.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(shown()).isEqualTo("> \n[1.2k in / 35 out tokens]\n> ");
    }
}
