// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.TcpProxy;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.ClaudeSessionException;
import dev.ccx.client.claude.ClaudeSessionOptions;
import dev.ccx.client.claude.PermissionCallback;
import dev.ccx.client.claude.PermissionDecision;
import dev.ccx.client.claude.PermissionRequest;
import dev.ccx.client.claude.SessionListener;
import dev.ccx.client.claude.Turn;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@link ClaudeSession} end to end: a real ccx server on port 0, the real Claude Code CLI (pinned) in stream-json
 * input mode as a kept execution, and {@link StubAnthropicApi} as the Messages API. Each test leaves no process
 * group and no {@code claude} process behind.
 */
@ExtendWith(Groups.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClaudeSessionIT {
    /** Several sessions at once on one connection need room for several executions per connection. */
    @RegisterExtension
    static final SharedServer server = new SharedServer(b -> b.maxProcessesPerSession(4));

    @RegisterExtension
    static final StubbedClaudeCli sandbox = new StubbedClaudeCli();

    private static final Duration TURN = Duration.ofSeconds(60);

    private CcxClient client;
    private final Events events = new Events();

    @BeforeEach
    void connect() {
        client = CcxClient.connect(server.uri(), ClientOptions.defaults());
    }

    @AfterEach
    void noneLeft() {
        client.close();
        assertThat(ClaudeCodeCli.leftBehind(10_000)).as("claude processes left behind").isEmpty();
        assertThat(Wait.untilValue(10_000, () -> server.server().health().runningProcesses(), n -> n == 0))
                .isZero();
    }

    private ClaudeSessionOptions.Builder options(ClaudeCommand.PermissionMode mode) {
        return ClaudeSessionOptions.builder(ClaudeCommand.session().executable(ClaudeCodeCli.executable().toString())
                        .permissionMode(mode).includePartialMessages(true))
                .cwd(sandbox.cwd().toString()).env(sandbox.environment()).listener(events)
                .controlTimeout(Duration.ofSeconds(30)).closeTimeout(Duration.ofSeconds(10));
    }

    private ClaudeSession start(ClaudeSessionOptions.Builder options) {
        return start(client, options);
    }

    /** Starts a session on {@code on} and reports its group to {@link Groups}. */
    private static ClaudeSession start(CcxClient on, ClaudeSessionOptions.Builder options) {
        ClaudeSession s = ClaudeSession.start(on, options.build());
        Groups.saw(s.pid());
        return s;
    }

    /** A client whose connection goes through {@code proxy}, which a test can drop. */
    private static CcxClient via(TcpProxy proxy) {
        return CcxClient.connect(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws/mcp"), ClientOptions.defaults());
    }

    @Test
    void threeTurnsInOneProcessCarryTheConversation() {
        sandbox.stub().enqueue(Reply.text("Paris."), Reply.text("About 2.1 million."), Reply.text("The Seine."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            assertThat(s.initializeResponse()).isNotNull();
            long pid = s.pid();

            TurnResult one = s.ask("What is the capital of France?", TURN);
            TurnResult two = s.ask("How many people live there?", TURN);
            TurnResult three = s.ask("Which river runs through it?", TURN);

            assertThat(List.of(one.text(), two.text(), three.text()))
                    .containsExactly("Paris.", "About 2.1 million.", "The Seine.");
            assertThat(List.of(one.index(), two.index(), three.index())).containsExactly(1, 2, 3);
            assertThat(List.of(one, two, three)).allSatisfy(t -> {
                assertThat(t.ok()).as(t.toString()).isTrue();
                assertThat(t.terminalReason()).isEqualTo("completed");
                assertThat(t.costUsd()).as("per-turn cost").isNotNull().isPositive();
            });
            assertThat(s.pid()).as("one process for every turn").isEqualTo(pid);
            assertThat(s.sessionId()).isEqualTo(three.claude().sessionId()).isNotBlank();
            // The CLI reports a running total; a turn's cost is its difference, so they add up to it.
            assertThat(one.costUsd() + two.costUsd() + three.costUsd())
                    .isCloseTo(three.claude().costUsd(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.totalCostUsd()).isCloseTo(three.claude().costUsd(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.turnsEnded()).isEqualTo(3);
            assertThat(s.totalUsage()).isEqualTo(one.claude().usage().plus(two.claude().usage())
                    .plus(three.claude().usage()));

            // The stub received the earlier turns: the third request carries both earlier prompts and answers.
            List<RecordedRequest> requests = sandbox.stub().messageRequests();
            assertThat(requests).hasSize(3);
            RecordedRequest last = requests.get(2);
            assertThat(last.userText()).contains("What is the capital of France?", "How many people live there?",
                    "Which river runs through it?");
            assertThat(last.messages().toString()).contains("Paris.", "About 2.1 million.");
        }
        assertThat(events.results()).isEqualTo(3);
    }

    @Test
    void promptsSentDuringATurnWaitTheirTurnAndGetTheirOwnAnswers() throws Exception {
        sandbox.stub().enqueue(Reply.text("first answer").withEventDelay(Duration.ofMillis(50)),
                Reply.text("second answer"));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            Turn a = s.send("first");
            Turn b = s.send("second"); // queued here until the first turn's result
            assertThat(b.index()).as("not started while the first runs").isZero();

            assertThat(b.await(TURN).text()).isEqualTo("second answer");
            assertThat(a.result().get(60, TimeUnit.SECONDS).text()).isEqualTo("first answer");
        }
    }

    @Test
    void anInterruptEndsTheTurnAsAbortedAndTheNextTurnAnswers() throws Exception {
        String slow = "a long answer that streams slowly, one small piece at a time, for several seconds";
        sandbox.stub().chunkSize(4);
        sandbox.stub().enqueue(Reply.text(slow).withEventDelay(Duration.ofMillis(200)), Reply.text("Back again."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            Turn turn = s.send("Tell me a long story");
            events.await(e -> e instanceof ClaudeEvent.PartialText, Duration.ofSeconds(30));

            s.interrupt();
            TurnResult aborted = turn.await(TURN);

            assertThat(aborted.interrupted()).as(aborted.toString()).isTrue();
            assertThat(aborted.terminalReason()).isEqualTo("aborted_streaming");
            assertThat(aborted.text()).isNotEqualTo(slow);
            TurnResult next = s.ask("Are you there?", TURN);
            assertThat(next.text()).isEqualTo("Back again.");
            assertThat(next.ok()).isTrue();
        }
    }

    @Test
    void anInterruptStopsTheRunningTurnAndNeverTheOneQueuedBehindIt() throws Exception {
        sandbox.stub().enqueue(Reply.stall(Duration.ofMinutes(2)), Reply.text("Second."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            Turn first = s.send("Take forever");
            Turn second = s.send("Then this");
            Wait.until(30_000, "the first turn's request", () -> sandbox.stub().messageRequests().size() == 1);

            s.interrupt();

            assertThat(first.await(TURN).interrupted()).isTrue();
            TurnResult r = second.await(TURN);
            assertThat(r.interrupted()).isFalse();
            assertThat(r.text()).isEqualTo("Second.");
        }
    }

    @Test
    void anAllowedWriteCreatesTheFileWithTheInputTheCallbackChose(@TempDir Path outside) throws Exception {
        Path file = outside.resolve("notes.txt");
        sandbox.stub().enqueue(Reply.write(file.toString(), "from the model"), Reply.text("Written."));
        List<PermissionRequest> asked = new CopyOnWriteArrayList<>();
        PermissionCallback allow = r -> {
            asked.add(r);
            JsonNode changed = r.input().deepCopy();
            ((tools.jackson.databind.node.ObjectNode) changed).put("content", "from the callback");
            return PermissionDecision.allow(changed);
        };
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.DEFAULT).permissions(allow))) {
            TurnResult r = s.ask("Write the notes", TURN);

            assertThat(r.text()).isEqualTo("Written.");
            assertThat(asked).singleElement().satisfies(p -> {
                assertThat(p.toolName()).isEqualTo("Write");
                assertThat(p.input().path("file_path").asString()).isEqualTo(file.toString());
                assertThat(p.toolUseId()).isNotBlank();
            });
            assertThat(file).hasContent("from the callback");
        }
    }

    @Test
    void aDeniedWriteGivesTheModelAnErrorWithTheMessageAndNoFile(@TempDir Path outside) {
        Path file = outside.resolve("secret.txt");
        sandbox.stub().enqueue(Reply.write(file.toString(), "x"), Reply.text("Understood."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.DEFAULT)
                .permissions(r -> PermissionDecision.deny("not in this directory")))) {
            TurnResult r = s.ask("Write the secret", TURN);

            assertThat(r.text()).isEqualTo("Understood.");
            assertThat(file).doesNotExist();
            assertThat(events.of(ClaudeEvent.ToolResult.class)).singleElement().satisfies(t -> {
                assertThat(t.isError()).isTrue();
                assertThat(t.content()).contains("not in this directory");
            });
            JsonNode toolResult = sandbox.stub().messageRequests().get(1).toolResults().getFirst();
            assertThat(RecordedRequest.toolResultText(toolResult)).contains("not in this directory");
        }
    }

    @Test
    void anInterruptWithdrawsAPendingPermissionRequestAndItsCallbackIsInterrupted(@TempDir Path outside)
            throws Exception {
        sandbox.stub().enqueue(Reply.write(outside.resolve("x.txt").toString(), "x"), Reply.text("Next."));
        CountDownLatch asked = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        PermissionCallback forever = r -> {
            asked.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(5)); // a person who never answers
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
            }
            return PermissionDecision.allow();
        };
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.DEFAULT).permissions(forever))) {
            Turn turn = s.send("Write x");
            assertThat(asked.await(60, TimeUnit.SECONDS)).isTrue();

            s.interrupt();

            assertThat(turn.await(TURN).interrupted()).isTrue();
            assertThat(interrupted.get(10, TimeUnit.SECONDS)).as("the callback's thread was interrupted").isTrue();
            assertThat(events.types()).contains("control_cancel_request");
            assertThat(s.ask("And now?", TURN).text()).isEqualTo("Next.");
        }
    }

    @Test
    void aSlowCallbackIsDeniedAfterThePermissionTimeout(@TempDir Path outside) {
        Path file = outside.resolve("late.txt");
        sandbox.stub().enqueue(Reply.write(file.toString(), "x"), Reply.text("Fine."));
        PermissionCallback slow = r -> {
            Thread.sleep(Duration.ofMinutes(5));
            return PermissionDecision.allow();
        };
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.DEFAULT).permissions(slow)
                .permissionTimeout(Duration.ofSeconds(1)))) {
            assertThat(s.ask("Write late", TURN).text()).isEqualTo("Fine.");
            assertThat(file).doesNotExist();
            assertThat(events.of(ClaudeEvent.ToolResult.class)).singleElement()
                    .satisfies(t -> assertThat(t.content()).contains("no permission decision within PT1S"));
        }
    }

    @Test
    void aDroppedConnectionInTheMiddleOfATurnLosesAndRepeatsNoEvent() throws Exception {
        String answer = "one two three four five six seven eight nine ten eleven twelve";
        sandbox.stub().chunkSize(4);
        sandbox.stub().enqueue(Reply.text(answer).withEventDelay(Duration.ofMillis(100)));
        try (TcpProxy proxy = new TcpProxy(server.uri().getPort()); CcxClient viaProxy = via(proxy);
             ClaudeSession s = start(viaProxy, options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            Turn turn = s.send("Count to twelve");
            events.await(e -> e instanceof ClaudeEvent.PartialText, Duration.ofSeconds(30));

            proxy.drop(); // no close frame: the client attaches again from the last seq it saw

            TurnResult r = turn.await(TURN);
            assertThat(r.text()).isEqualTo(answer);
            assertThat(proxy.connections()).isGreaterThanOrEqualTo(2);
            String streamed = String.join("", events.of(ClaudeEvent.PartialText.class).stream()
                    .map(ClaudeEvent.PartialText::text).toList());
            assertThat(streamed).as("every delta once, in order").isEqualTo(answer);
            assertThat(events.of(ClaudeEvent.AssistantText.class)).hasSize(1);
            assertThat(events.results()).isEqualTo(1);
        }
    }

    @Test
    void afterADroppedConnectionTheNextPromptGoesThrough() throws Exception {
        sandbox.stub().enqueue(Reply.text("Before."), Reply.text("After."));
        try (TcpProxy proxy = new TcpProxy(server.uri().getPort()); CcxClient viaProxy = via(proxy);
             ClaudeSession s = start(viaProxy, options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            assertThat(s.ask("One", TURN).text()).isEqualTo("Before.");

            proxy.drop();
            // The client notices, connects again and attaches; a prompt written meanwhile could be lost in flight.
            Wait.until(10_000, "the client to connect again", () -> proxy.connections() >= 2);

            assertThat(s.ask("Two", TURN).text()).isEqualTo("After.");
        }
    }

    @Test
    void aQueuedTurnGivenUpOnIsWithdrawnAndNeverSent() {
        sandbox.stub().enqueue(Reply.text("slowly, slowly, slowly").withEventDelay(Duration.ofMillis(300)),
                Reply.text("Third."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            Turn first = s.send("First");
            Turn second = s.send("Second");

            assertThatThrownBy(() -> second.await(Duration.ofMillis(200))).isInstanceOf(ClaudeSessionException.class)
                    .hasMessageContaining("withdrawn before it was sent");
            assertThat(first.await(TURN).text()).isEqualTo("slowly, slowly, slowly");
            assertThat(s.ask("Third", TURN).text()).isEqualTo("Third.");
            assertThat(sandbox.stub().messageRequests()).hasSize(2);
            assertThat(sandbox.stub().messageRequests().get(1).userText()).doesNotContain("Second");
        }
    }

    @Test
    void closingASessionWhoseProcessDiedReturnsAtOnce() {
        sandbox.stub().enqueue(Reply.text("Hi."));
        ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS));
        s.ask("Hello", TURN);
        ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroyForcibly);
        Wait.until(10_000, "the killed process to end", () -> !s.isAlive());

        long started = System.nanoTime();
        s.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anotherClientTakesUpADetachedSessionWithEveryEventOnceAndGoesOn() {
        sandbox.stub().enqueue(Reply.text("First, from the first client."),
                Reply.text("Second, from the second client."));
        String id;
        long pid;
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            s.ask("Hello", TURN);
            id = s.executionId();
            pid = s.pid();
            s.detach();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("detached, it runs on").contains(true);
        Events replayed = new Events();
        try (CcxClient other = CcxClient.connect(server.uri(), ClientOptions.defaults());
             ClaudeSession s = ClaudeSession.attach(other, id, options(ClaudeCommand.PermissionMode.ACCEPT_EDITS)
                     .listener(replayed).build())) {
            // Sent at once, while the replay may still run: it waits for the turns of the past.
            TurnResult r = s.ask("Still there?", TURN);

            assertThat(s.caughtUp()).isDone();
            assertThat(s.turns()).hasSize(2);
            assertThat(s.turns().getFirst().text()).isEqualTo("First, from the first client.");
            assertThat(s.turns().getFirst().prompt()).as("echoed by the CLI, so in the log").isEqualTo("Hello");
            assertThat(s.pid()).isEqualTo(pid);

            assertThat(r.text()).isEqualTo("Second, from the second client.");
            assertThat(r.index()).isEqualTo(2);
            assertThat(replayed.results()).as("each result once").isEqualTo(2);
            assertThat(replayed.of(ClaudeEvent.UserPrompt.class)).map(ClaudeEvent.UserPrompt::text)
                    .containsExactly("Hello", "Still there?");
            assertThat(replayed.of(ClaudeEvent.AssistantText.class)).map(ClaudeEvent.AssistantText::text)
                    .containsExactly("First, from the first client.", "Second, from the second client.");
        }
    }

    @Test
    void anOrchestratorThatRestartsInTheMiddleOfATurnAnswersTheOpenPermissionRequestAndGetsTheResult(
            @TempDir Path outside) throws Exception {
        Path file = outside.resolve("handover.txt");
        sandbox.stub().enqueue(Reply.write(file.toString(), "written after the handover"), Reply.text("Done."));
        CountDownLatch asked = new CountDownLatch(1);
        CcxClient first = CcxClient.connect(server.uri(), ClientOptions.defaults());
        ClaudeSession s1 = start(first, options(ClaudeCommand.PermissionMode.DEFAULT).permissions(r -> {
            asked.countDown();
            Thread.sleep(Duration.ofMinutes(5)); // the orchestrator dies before it decides
            return PermissionDecision.allow();
        }));
        String id = s1.executionId();
        s1.send("Write the handover file");
        assertThat(asked.await(60, TimeUnit.SECONDS)).isTrue();
        first.close(); // gone without a word; the session lingers

        List<PermissionRequest> askedAgain = new CopyOnWriteArrayList<>();
        Events replayed = new Events();
        try (CcxClient second = CcxClient.connect(server.uri(), ClientOptions.defaults());
             ClaudeSession s2 = ClaudeSession.attach(second, id, options(ClaudeCommand.PermissionMode.DEFAULT)
                     .listener(replayed).permissions(r -> {
                         askedAgain.add(r);
                         return PermissionDecision.allow();
                     }).build())) {
            // The adopted turn ends as soon as the new callback has answered: wait for it among the ended ones.
            TurnResult r = Wait.untilValue(60_000, () -> s2.turns().isEmpty() ? null : s2.turns().getFirst(),
                    java.util.Objects::nonNull);

            assertThat(r.text()).isEqualTo("Done.");
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.prompt()).isEqualTo("Write the handover file");
            assertThat(askedAgain).singleElement().satisfies(p -> assertThat(p.toolName()).isEqualTo("Write"));
            assertThat(file).hasContent("written after the handover");
            assertThat(replayed.results()).isEqualTo(1);
        }
    }

    @Test
    void aPermissionAnsweredBeforeTheAttachIsNotAskedAgain(@TempDir Path outside) {
        Path file = outside.resolve("once.txt");
        sandbox.stub().enqueue(Reply.write(file.toString(), "x"), Reply.text("Written once."),
                Reply.text("Still here."));
        String id;
        try (ClaudeSession s1 = start(options(ClaudeCommand.PermissionMode.DEFAULT)
                .permissions(r -> PermissionDecision.allow()))) {
            assertThat(s1.ask("Write once", TURN).text()).isEqualTo("Written once.");
            id = s1.executionId();
            s1.detach();
        }
        List<PermissionRequest> askedAgain = new CopyOnWriteArrayList<>();
        try (CcxClient second = CcxClient.connect(server.uri(), ClientOptions.defaults());
             ClaudeSession s2 = ClaudeSession.attach(second, id, options(ClaudeCommand.PermissionMode.DEFAULT)
                     .permissions(r -> {
                         askedAgain.add(r);
                         return PermissionDecision.deny("asked twice");
                     }).build())) {
            assertThat(s2.ask("Anything else?", TURN).text()).isEqualTo("Still here.");
            assertThat(askedAgain).as("the replay showed its tool result: answered").isEmpty();
            assertThat(file).hasContent("x");
        }
    }

    @Test
    void whenTheClaudeProcessIsKilledResumeGoesOnWithTheSameSession() {
        sandbox.stub().enqueue(Reply.text("Remember: blue."), Reply.text("You said blue."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            TurnResult first = s.ask("My colour is blue", TURN);
            String session = s.sessionId();
            long pid = s.pid();

            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Wait.until(10_000, "the killed process to end", () -> !s.isAlive());
            assertThat(s.totalCostUsd()).as("counted once").isEqualTo(first.costUsd());
            assertThatThrownBy(() -> s.send("Which colour?")).isInstanceOf(ClaudeSessionException.class)
                    .hasMessageContaining("resume()");

            s.resume();
            Groups.saw(s.pid());
            TurnResult r = s.ask("Which colour did I say?", TURN);

            assertThat(s.pid()).isNotEqualTo(pid);
            assertThat(r.text()).isEqualTo("You said blue.");
            assertThat(r.claude().sessionId()).isEqualTo(session);
            assertThat(s.totalCostUsd()).as("both processes' totals")
                    .isCloseTo(first.costUsd() + r.costUsd(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(sandbox.stub().messageRequests().get(1).userText())
                    .contains("My colour is blue", "Which colour did I say?");
        }
    }

    @Test
    void aSixtyFourMebibyteLineComesThroughWhole() {
        String big = "x".repeat(64 * 1024 * 1024);
        sandbox.stub().chunkSize(1024 * 1024);
        sandbox.stub().enqueue(Reply.text(big));
        AtomicInteger longest = new AtomicInteger();
        SessionListener measuring = e -> {
            if (e instanceof ClaudeEvent.AssistantText t) {
                longest.accumulateAndGet(t.text().length(), Math::max);
            }
        };
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS).listener(measuring))) {
            TurnResult r = s.ask("Say a lot", Duration.ofMinutes(2));
            assertThat(r.text().length()).isEqualTo(big.length());
            assertThat(r.text()).isEqualTo(big);
            assertThat(longest.get()).isEqualTo(big.length());
        }
    }

    @Test
    void severalSessionsOnOneConnectionNeverMixTheirTurns() throws Exception {
        for (int i = 0; i < 6; i++) {
            sandbox.stub().enqueue(req -> Reply.text("echo " + lastPrompt(req)));
        }
        try (ClaudeSession a = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS).listener(null));
             ClaudeSession b = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS).listener(null));
             ClaudeSession c = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS).listener(null))) {
            List<ClaudeSession> sessions = List.of(a, b, c);
            List<CompletableFuture<TurnResult>> results = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 3; i++) {
                    results.add(sessions.get(i).send("s" + i + " r" + round).result());
                }
            }
            for (int k = 0; k < results.size(); k++) {
                assertThat(results.get(k).get(60, TimeUnit.SECONDS).text())
                        .isEqualTo("echo s" + (k % 3) + " r" + (k / 3));
            }
            assertThat(sessions.stream().map(ClaudeSession::pid).distinct()).hasSize(3);
        }
    }

    private static String lastPrompt(RecordedRequest request) {
        String[] lines = request.userText().strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void anUnknownControlRequestIsRefusedAndTheSessionGoesOn() {
        sandbox.stub().enqueue(Reply.text("ok"), Reply.text("Still fine."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            assertThatThrownBy(() -> s.control("no_such_subtype", java.util.Map.of()))
                    .isInstanceOf(ClaudeSessionException.class)
                    .hasMessageContaining("Unsupported control request subtype: no_such_subtype");
            s.setPermissionMode(ClaudeCommand.PermissionMode.PLAN);
            s.setModel("claude-other-model");
            TurnResult r = s.ask("Are you fine?", TURN);
            assertThat(r.text()).isEqualTo("Still fine.");
            // set_model checks a model it has not used with a one-token request ("Hi", max_tokens 1) first.
            List<RecordedRequest> requests = sandbox.stub().messageRequests();
            assertThat(requests).hasSize(2);
            assertThat(requests.getFirst().json().path("max_tokens").asInt()).isEqualTo(1);
            assertThat(requests).allSatisfy(q -> assertThat(q.model()).isEqualTo("claude-other-model"));
        }
    }

    @Test
    void aCallbackThatFailsOrAnswersBadlyDeniesWithASayingMessageAndTheSessionStaysUsable(@TempDir Path outside) {
        sandbox.stub().enqueue(Reply.write(outside.resolve("a.txt").toString(), "a"), Reply.text("Denied, ok."),
                Reply.text("Still here."));
        // An allow whose changed input is not an object is refused when the decision is made.
        PermissionCallback bad = r -> new PermissionDecision.Allow(Wire.mapper().getNodeFactory().stringNode("x"));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.DEFAULT).permissions(bad))) {
            assertThat(s.ask("Write a", TURN).text()).isEqualTo("Denied, ok.");
            assertThat(outside.resolve("a.txt")).doesNotExist();
            assertThat(events.of(ClaudeEvent.ToolResult.class)).singleElement().satisfies(t -> assertThat(t.content())
                    .contains("the permission callback failed").contains("updatedInput must be a JSON object"));
            assertThat(s.ask("Next", TURN).text()).isEqualTo("Still here.");
        }
    }

    @Test
    void anAwaitThatRunsOutInterruptsTheTurnAndSaysSo() {
        sandbox.stub().enqueue(Reply.stall(Duration.ofMinutes(2)), Reply.text("Quick one."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            TurnResult r = s.send("Take forever").await(Duration.ofSeconds(2));

            assertThat(r.timedOut()).isTrue();
            assertThat(r.interrupted()).as(r.toString()).isTrue();
            assertThat(s.ask("Quick?", TURN).text()).isEqualTo("Quick one.");
        }
    }

    @Test
    void aTurnSentWithASchemaHasItsJsonAnswerChecked() {
        JsonNode schema = Wire.mapper().readTree("""
                {"type":"object","required":["city","river"],"properties":{"city":{"type":"string"},
                 "river":{"type":"string"}}}""");
        sandbox.stub().enqueue(Reply.json("{\"city\":\"Paris\",\"river\":\"Seine\"}"),
                Reply.json("{\"city\":\"Lyon\"}"));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            TurnResult good = s.send("Where?", schema).await(TURN);
            TurnResult bad = s.send("And now?", schema).await(TURN);

            assertThat(good.ok()).isTrue();
            assertThat(good.claude().json().path("river").asString()).isEqualTo("Seine");
            assertThat(bad.ok()).isFalse();
            assertThat(bad.claude().schemaErrors()).containsExactly("$: missing required property \"river\"");
        }
    }

    @Test
    void aCallerInterruptedWhileItWaitsInterruptsTheTurn() throws Exception {
        sandbox.stub().enqueue(Reply.stall(Duration.ofMinutes(2)), Reply.text("After."));
        try (ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS))) {
            Turn turn = s.send("Take forever");
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    turn.await(TURN);
                    thrown.complete(null);
                } catch (RuntimeException e) {
                    thrown.complete(e);
                }
            });
            // The stalled request has reached the stub, so the interrupt cannot come before it.
            Wait.until(30_000, "the turn's request", () -> sandbox.stub().messageRequests().size() == 1);

            waiter.interrupt();

            assertThat(thrown.get(30, TimeUnit.SECONDS)).hasMessageContaining("interrupted while waiting for turn 1");
            assertThat(turn.result().get(30, TimeUnit.SECONDS).interrupted()).isTrue();
            assertThat(s.ask("Still there?", TURN).text()).isEqualTo("After.");
        }
    }

    @Test
    void closingInTheMiddleOfATurnInterruptsItAndLeavesNothingRunning() throws Exception {
        sandbox.stub().enqueue(Reply.stall(Duration.ofMinutes(2)));
        ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS));
        long pid = s.pid();
        Turn turn = s.send("Take forever");
        events.await(e -> e instanceof ClaudeEvent.Init, Duration.ofSeconds(30));

        s.close();

        assertThat(turn.result().get(5, TimeUnit.SECONDS).interrupted()).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aClientThatGoesAwayWithoutClosingLeavesTheProcessOnlyForTheLinger() {
        sandbox.stub().enqueue(Reply.text("Hi."));
        CcxClient gone = CcxClient.connect(server.uri(), ClientOptions.defaults());
        ClaudeSession s = start(gone, options(ClaudeCommand.PermissionMode.ACCEPT_EDITS).linger(Duration.ofSeconds(1)));
        long pid = s.pid();
        s.ask("Hello", TURN);

        gone.close(); // as when the orchestrator's JVM dies: nobody follows the session any more

        assertThat(Wait.untilValue(15_000, () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                alive -> !alive)).as("ended by the server after the linger").isFalse();
    }

    @Test
    void abortEndsTheProcessAtOnceEvenInTheMiddleOfATurn() throws Exception {
        sandbox.stub().enqueue(Reply.stall(Duration.ofMinutes(2)));
        ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS));
        long pid = s.pid();
        Turn turn = s.send("Take forever");
        Wait.until(30_000, "the turn's request", () -> sandbox.stub().messageRequests().size() == 1);

        s.abort();

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(turn.result().get(10, TimeUnit.SECONDS).terminalReason()).isEqualTo(TurnResult.PROCESS_ENDED);
        assertThatThrownBy(() -> s.send("more")).isInstanceOf(ClaudeSessionException.class);
    }

    @Test
    void aPromptAfterCloseFailsClearly() {
        ClaudeSession s = start(options(ClaudeCommand.PermissionMode.ACCEPT_EDITS));
        long pid = s.pid();
        s.close();
        assertThatThrownBy(() -> s.send("anyone?")).isInstanceOf(ClaudeSessionException.class)
                .hasMessage("the Claude session is closed");
        assertThat(Wait.untilValue(10_000, () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                alive -> !alive)).isFalse();
    }

    @Test
    void aControlRequestOfAnUnknownSubtypeFromTheCliIsAnsweredWithAnError(@TempDir Path dir) throws IOException {
        // A stand-in for the CLI that asks something ccx does not know, records the answer, then serves a turn.
        Path answer = dir.resolve("answer.json");
        Path fake = dir.resolve("fake-claude");
        Files.writeString(fake, """
                #!/bin/sh
                read -r init
                id=$(printf '%s' "$init" | sed 's/.*"request_id":"\\([^"]*\\)".*/\\1/')
                printf '{"type":"control_response","response":{"subtype":"success","request_id":"%s","response":{}}}\\n' "$id"
                printf '{"type":"control_request","request_id":"cli_1","request":{"subtype":"mystery"}}\\n'
                while read -r line; do
                  case "$line" in
                    *'"control_response"'*) printf '%s\\n' "$line" > "$ANSWER.tmp" && mv "$ANSWER.tmp" "$ANSWER" ;;
                    *'"type":"user"'*)
                      printf '{"type":"system","subtype":"init","session_id":"s1"}\\n'
                      printf '{"type":"result","subtype":"success","is_error":false,"result":"fine","session_id":"s1","total_cost_usd":0.5,"terminal_reason":"completed"}\\n' ;;
                  esac
                done
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        try (ClaudeSession s = ClaudeSession.start(client, ClaudeSessionOptions.builder(
                ClaudeCommand.session().executable(fake.toString())).env(java.util.Map.of("ANSWER",
                answer.toString())).listener(events).build())) {
            Groups.saw(s.pid());
            TurnResult r = s.ask("hello", TURN);

            assertThat(r.text()).isEqualTo("fine");
            assertThat(r.costUsd()).isEqualTo(0.5);
            Wait.until(10_000, "the fake CLI to record the answer", () -> Files.exists(answer));
            JsonNode reply = Wire.mapper().readTree(Files.readString(answer));
            assertThat(reply.path("type").asString()).isEqualTo("control_response");
            assertThat(reply.path("response").path("subtype").asString()).isEqualTo("error");
            assertThat(reply.path("response").path("request_id").asString()).isEqualTo("cli_1");
            assertThat(reply.path("response").path("error").asString()).contains("\"mystery\"");
        }
    }

    /** What a session's listener was told, in order. */
    private static final class Events implements SessionListener {
        private final List<ClaudeEvent> seen = new CopyOnWriteArrayList<>();

        @Override
        public synchronized void event(ClaudeEvent event) {
            seen.add(event);
            notifyAll();
        }

        synchronized void await(Predicate<ClaudeEvent> which, Duration bound) throws InterruptedException {
            long end = System.nanoTime() + bound.toNanos();
            while (seen.stream().noneMatch(which)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such event within " + bound + "; seen: " + seen);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        <T extends ClaudeEvent> List<T> of(Class<T> type) {
            return seen.stream().filter(type::isInstance).map(type::cast).toList();
        }

        long results() {
            return of(ClaudeEvent.Result.class).size();
        }

        List<String> types() {
            return seen.stream().filter(e -> e instanceof ClaudeEvent.Unknown)
                    .map(e -> ((ClaudeEvent.Unknown) e).type()).toList();
        }
    }
}
