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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ccx claude --chat} end to end: a real ccx server on port 0 runs the real Claude Code CLI against
 * {@link StubAnthropicApi}, as in {@link ClaudeCommandsIT}. At a terminal the CLI runs as a person runs it: the
 * shaded jar in a JVM of its own on a {@link PseudoTerminal}, typed at, Ctrl-C included. Without one it runs in this
 * JVM with stdin given and stdout captured. After each test no Claude process, process group or running execution
 * may be left.
 */
@ExtendWith(Groups.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClaudeChatIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();
    @RegisterExtension
    static final StubbedClaude claude = new StubbedClaude(server);

    /** Claude Code may write and read files in its directory without asking. */
    private static final List<String> FILES = List.of("--permission-mode", "acceptEdits", "--allowed-tools",
            "Write,Read");
    /** Claude Code asks before it writes (through the permission callback). */
    private static final List<String> ASKING = List.of("--permission-mode", "default");
    /** Bounds for what the terminal should show: a JVM start, or a turn of the real CLI (1–3 s; cores are shared). */
    private static final long START = 60;
    private static final long TURN = 60;

    @TempDir
    Path tmp;

    private final CliCapture cli = new CliCapture();

    private List<String> chat(List<String> permissions, String... more) {
        List<String> args = new ArrayList<>(List.of("claude", "--chat"));
        args.addAll(claude.flags(permissions));
        args.addAll(List.of(more));
        return args;
    }

    // ---- at a terminal -----------------------------------------------------------------------------------------

    @Test
    void twoTurnsAtATerminalAndTheSecondCarriesTheFirst() throws Exception {
        claude.script(Reply.text("Noted: the code word is xyzzy."), Reply.text("The code word was xyzzy."));

        try (PseudoTerminal t = PseudoTerminal.ccx(chat(FILES))) {
            t.waitFor("/help lists the commands.", START);
            t.waitFor("> ", START);
            t.type("Remember the code word xyzzy\n");
            t.waitFor("Noted: the code word is xyzzy.", TURN);
            assertThat(t.waitFor("]", TURN)).contains("[$", " in / ", " out tokens");
            t.waitFor("> ", TURN);
            t.type("What was the code word?\n");
            t.waitFor("The code word was xyzzy.", TURN);
            t.waitFor("> ", TURN);
            t.type("/cost\n");
            assertThat(t.waitFor("]", TURN)).contains("[session: 2 turns · $", " out tokens");
            t.type("/exit\n");
            t.waitFor("Session closed.", TURN);
            assertThat(t.exitCode(TURN)).as(t.output()).isZero();
        }
        assertThat(claude.stub().messageRequests()).hasSize(2);
        RecordedRequest second = claude.stub().messageRequests().get(1);
        assertThat(second.userText()).contains("Remember the code word xyzzy", "What was the code word?");
        assertThat(second.messages().toString()).contains("Noted: the code word is xyzzy.");
    }

    @Test
    void ctrlCInterruptsTheTurnAndTheNextPromptIsAnswered() throws Exception {
        // 16 characters per text delta, 300 ms apart: about 20 s if nobody interrupts.
        String slow = "This answer streams slowly, one small piece at a time, so that there is time to press "
                + "Ctrl-C in the middle of it, long before its end, which nobody should ever get to see.";
        claude.script(Reply.text(slow).withEventDelay(Duration.ofMillis(300)), Reply.text("Yes, still here."));

        try (PseudoTerminal t = PseudoTerminal.ccx(chat(FILES))) {
            t.waitFor("> ", START);
            t.type("Tell me something long\n");
            t.waitFor(slow.substring(0, 16), TURN);
            t.type("\u0003");
            assertThat(t.waitFor("]", TURN)).contains("[interrupted").doesNotContain("nobody should ever");
            t.waitFor("> ", TURN);
            t.type("Still there?\n");
            t.waitFor("Yes, still here.", TURN);
            t.waitFor("> ", TURN);
            t.type("\u0004"); // Ctrl-D at the empty prompt
            t.waitFor("Session closed. [session: 2 turns", TURN);
            assertThat(t.exitCode(TURN)).as(t.output()).isZero();
            assertThat(t.output()).doesNotContain("nobody should ever");
        }
        assertThat(claude.stub().messageRequests()).hasSize(2);
        assertThat(claude.stub().messageRequests().get(1).userText()).contains("Still there?");
    }

    @Test
    void permissionsAreAskedAtTheTerminalAndAlwaysIsRememberedForTheTool() throws Exception {
        Path once = tmp.resolve("once.txt"); // outside the CLI's directory, tmp/work: the CLI asks
        Path always = tmp.resolve("always.txt");
        Path unasked = tmp.resolve("unasked.txt");
        claude.script(Reply.write(once.toString(), "after a yes\n"), Reply.text("Wrote once.txt."));
        claude.script(Reply.write(always.toString(), "after an always\n"), Reply.text("Wrote always.txt."));
        claude.script(Reply.write(unasked.toString(), "without a question\n"), Reply.text("Wrote unasked.txt."));

        try (PseudoTerminal t = PseudoTerminal.ccx(chat(ASKING))) {
            t.waitFor("> ", START);
            t.type("Write once.txt next to your directory\n");
            t.waitFor("Claude wants to use Write " + once, TURN);
            t.waitFor("allow once [y], always [a], deny [n]? ", TURN);
            t.type("y\n");
            t.waitFor("Wrote once.txt.", TURN);
            t.waitFor("> ", TURN);
            t.type("Now always.txt\n");
            t.waitFor("Claude wants to use Write " + always, TURN);
            t.waitFor("allow once [y], always [a], deny [n]? ", TURN);
            t.type("a\n");
            t.waitFor("Wrote always.txt.", TURN);
            t.waitFor("> ", TURN);
            t.type("And unasked.txt\n");
            assertThat(t.waitFor("Wrote unasked.txt.", TURN)).contains("[allowed Write " + unasked
                    + ": always allowed in this session]").doesNotContain("Claude wants to use");
            t.waitFor("> ", TURN);
            t.type("/exit\n");
            assertThat(t.exitCode(TURN)).as(t.output()).isZero();
        }
        assertThat(once).hasContent("after a yes\n");
        assertThat(always).hasContent("after an always\n");
        assertThat(unasked).hasContent("without a question\n");
    }

    @Test
    void ctrlCWhileAPermissionIsAskedWithdrawsTheQuestionAndInterruptsTheTurn() throws Exception {
        Path never = tmp.resolve("never.txt");
        claude.script(Reply.write(never.toString(), "never\n"), Reply.text("Going on after the interrupt."));

        try (PseudoTerminal t = PseudoTerminal.ccx(chat(ASKING))) {
            t.waitFor("> ", START);
            t.type("Write never.txt next to your directory\n");
            t.waitFor("allow once [y], always [a], deny [n]? ", TURN);
            t.type("\u0003");
            t.waitFor("[interrupted", TURN);
            // The withdrawal and the turn's end come on different threads, in either order.
            Wait.until(TURN * 1000, "the question withdrawn", () -> t.output().contains(
                    "[permission request for Write withdrawn]"));
            t.waitFor("> ", TURN);
            t.type("Go on\n");
            t.waitFor("Going on after the interrupt.", TURN);
            t.waitFor("> ", TURN);
            t.type("/exit\n");
            assertThat(t.exitCode(TURN)).as(t.output()).isZero();
        }
        assertThat(never).doesNotExist();
        assertThat(claude.stub().messageRequests()).hasSize(2);
    }

    @Test
    void ctrlCTwiceQuitsAndClosesTheSession() throws Exception {
        claude.script(Reply.text("Hello."));

        try (PseudoTerminal t = PseudoTerminal.ccx(chat(FILES))) {
            t.waitFor("> ", START);
            t.type("Hi\n");
            t.waitFor("Hello.", TURN);
            t.waitFor("> ", TURN);
            t.type("\u0003");
            t.waitFor("(Ctrl-C again within 2 s quits", TURN);
            t.type("\u0003");
            t.waitFor("Session closed. [session: 1 turn", TURN);
            assertThat(t.exitCode(TURN)).as(t.output()).isEqualTo(ExitCodes.CANCELED);
        }
    }

    // ---- without a terminal ------------------------------------------------------------------------------------

    private int chatWithStdin(String stdin, List<String> args) {
        return cli.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args.toArray(String[]::new));
    }

    private List<JsonNode> jsonLines() {
        return cli.out().lines().map(l -> Wire.mapper().readTree(l)).toList();
    }

    private String transcript() {
        return "--- stdout ---\n" + cli.out() + "--- stderr ---\n" + cli.err() + "--- stub ---\n" + claude.stub().requests();
    }

    @Test
    void withoutATerminalEachLineIsATurnAndEachTurnAJsonLine() {
        claude.script(Reply.text("First answer."), Reply.text("Second answer."));

        int code = chatWithStdin("First question\nSecond question\n", chat(FILES));

        assertThat(code).as(transcript()).isZero();
        assertThat(cli.err()).isEmpty();
        List<JsonNode> lines = jsonLines();
        assertThat(lines).extracting(n -> n.path("type").asString())
                .containsExactly("session", "turn", "turn", "closed");
        String execution = lines.getFirst().path("execution_id").asString();
        assertThat(execution).isNotBlank();
        assertThat(lines.getFirst().path("attached").asBoolean()).isFalse();
        JsonNode first = lines.get(1);
        assertThat(first.path("index").asInt()).isEqualTo(1);
        assertThat(first.path("prompt").asString()).isEqualTo("First question");
        assertThat(first.path("text").asString()).isEqualTo("First answer.");
        assertThat(first.path("terminal_reason").asString()).isEqualTo("completed");
        assertThat(first.path("interrupted").asBoolean()).isFalse();
        assertThat(first.path("cost_usd").isNumber()).as(first.toString()).isTrue();
        assertThat(first.path("usage").path("output_tokens").asLong()).isPositive();
        assertThat(first.path("session_id").asString()).isEqualTo(claude.session(0));
        assertThat(first.path("execution_id").asString()).isEqualTo(execution);
        JsonNode second = lines.get(2);
        assertThat(second.path("index").asInt()).isEqualTo(2);
        assertThat(second.path("text").asString()).isEqualTo("Second answer.");
        assertThat(second.path("session_id").asString()).isEqualTo(first.path("session_id").asString());
        assertThat(second.path("total_cost_usd").asDouble()).isGreaterThan(first.path("total_cost_usd").asDouble());
        JsonNode closed = lines.getLast();
        assertThat(closed.path("turns").asInt()).isEqualTo(2);
        assertThat(closed.path("total_cost_usd").asDouble()).isEqualTo(second.path("total_cost_usd").asDouble());
        assertThat(claude.stub().messageRequests().get(1).userText()).contains("First question", "Second question");
    }

    @Test
    void withoutATerminalPermissionsAreDeniedAndTheLinesSaySo() {
        Path outside = tmp.resolve("outside.txt");
        claude.script(Reply.write(outside.toString(), "never\n"), Reply.text("I could not write it."));

        int code = chatWithStdin("Write outside.txt\n", chat(ASKING));

        assertThat(code).as(transcript()).isZero();
        List<JsonNode> lines = jsonLines();
        assertThat(lines).extracting(n -> n.path("type").asString())
                .containsExactly("session", "permission", "turn", "closed");
        JsonNode permission = lines.get(1);
        assertThat(permission.path("tool").asString()).isEqualTo("Write");
        assertThat(permission.path("input").path("file_path").asString()).isEqualTo(outside.toString());
        assertThat(permission.path("allowed").asBoolean()).isFalse();
        assertThat(permission.path("reason").asString()).contains("--permission-prompt deny");
        assertThat(lines.get(2).path("text").asString()).isEqualTo("I could not write it.");
        assertThat(outside).doesNotExist();
        // The model learnt why: the tool result it got carries the denial.
        assertThat(claude.stub().messageRequests().get(1).toolResults().toString()).contains("--permission-prompt deny");
    }

    @Test
    void detachLeavesTheSessionRunningAndAttachReplaysItAndGoesOn() {
        claude.script(Reply.text("Noted: the code word is xyzzy."), Reply.text("The code word was xyzzy."));
        assertThat(chatWithStdin("Remember the code word xyzzy\n/detach\n", chat(FILES))).as(transcript()).isZero();
        List<JsonNode> first = jsonLines();
        assertThat(first).extracting(n -> n.path("type").asString()).containsExactly("session", "turn", "detached");
        String execution = first.getFirst().path("execution_id").asString();
        assertThat(server.server().health().runningProcesses()).as("the detached session runs on").isEqualTo(1);
        cli.reset();

        int code = chatWithStdin("What was the code word?\n", chat(FILES, "--attach", execution));

        assertThat(code).as(transcript()).isZero();
        List<JsonNode> lines = jsonLines();
        assertThat(lines).extracting(n -> n.path("type").asString())
                .containsExactly("session", "turn", "turn", "closed");
        assertThat(lines.getFirst().path("attached").asBoolean()).isTrue();
        JsonNode replayed = lines.get(1);
        assertThat(replayed.path("index").asInt()).isEqualTo(1);
        assertThat(replayed.path("adopted").asBoolean()).as("a turn another client sent").isTrue();
        assertThat(replayed.path("prompt").asString()).as("echoed by the CLI").isEqualTo("Remember the code word xyzzy");
        assertThat(lines.get(2).path("adopted").asBoolean()).isFalse();
        assertThat(replayed.path("text").asString()).isEqualTo("Noted: the code word is xyzzy.");
        JsonNode live = lines.get(2);
        assertThat(live.path("index").asInt()).isEqualTo(2);
        assertThat(live.path("text").asString()).isEqualTo("The code word was xyzzy.");
        assertThat(live.path("execution_id").asString()).isEqualTo(execution);
        assertThat(claude.stub().messageRequests().get(1).messages().toString()).contains("Noted: the code word is xyzzy.");
    }

    @Test
    void unreachableServerExits125() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "ws://127.0.0.1:" + port + "/ws/mcp";

        int code = chatWithStdin("Hello?\n", List.of("claude", "--chat", "--url", url));

        assertThat(code).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains("cannot reach a ccx server at " + url);
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void claudeNotFoundOnTheServerExits125WithTheHintAboutClaudeBin() {
        Path missing = tmp.resolve("no-such-dir").resolve("claude");

        int code = chatWithStdin("Hello?\n", List.of("claude", "--chat", "--url", server.uri().toString(),
                "--claude-bin", missing.toString(), "--cwd", claude.cwd().toString()));

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains(missing.toString(), "--claude-bin");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void attachingToNoSuchExecutionExits125() {
        int code = chatWithStdin("Hello?\n", chat(FILES, "--attach", "no-such-execution"));

        assertThat(code).as(transcript()).isEqualTo(ExitCodes.CCX_FAILED);
        assertThat(cli.err()).contains("ccx claude: ", "no-such-execution");
    }

    @Test
    void chatOptionsThatDoNotFitAreUsageErrors() {
        assertThat(cli.run("claude", "--chat", "a prompt")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("--chat reads its prompts from the terminal or stdin");
        cli.reset();
        assertThat(cli.run("claude", "--chat", "--permission-prompt", "ask")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("--permission-prompt ask needs a terminal");
        cli.reset();
        assertThat(cli.run("claude", "--attach", "x", "a prompt")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("go with --chat");
    }
}
