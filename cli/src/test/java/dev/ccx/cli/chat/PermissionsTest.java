// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.client.claude.PermissionDecision;
import dev.ccx.client.claude.PermissionRequest;
import dev.ccx.protocol.Wire;
import dev.ccx.server.testing.Wait;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PermissionsTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final LineSource lines = new LineSource(System::nanoTime);

    private String shown() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static PermissionRequest write(String path) {
        JsonNode input = Wire.mapper().createObjectNode().put("file_path", path).put("content", "x");
        return new PermissionRequest("req_" + path, "Write", input, "toolu_" + path, "Path is outside allowed "
                + "working directories", path, Wire.mapper().createArrayNode(), input);
    }

    private static CompletableFuture<PermissionDecision> decide(Permissions p, PermissionRequest r) {
        CompletableFuture<PermissionDecision> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(p.decide(r));
            } catch (InterruptedException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Waits for the {@code n}th question on the screen. */
    private void question(int n) {
        Wait.until(5_000, "question " + n, () -> shown().split("allow once \\[y\\], always \\[a\\], deny \\[n\\]\\? ",
                -1).length == n + 1);
    }

    @Test
    void withoutATerminalEveryRequestIsDeniedAndReportedAsAJsonLine() throws Exception {
        Permissions p = Permissions.fixed(Permissions.Mode.DENY, new JsonLines(out));

        PermissionDecision d = p.decide(write("/x"));

        assertThat(d).isInstanceOfSatisfying(PermissionDecision.Deny.class, deny -> {
            assertThat(deny.message()).contains("--permission-prompt deny");
            assertThat(deny.interrupt()).isFalse();
        });
        JsonNode line = Wire.mapper().readTree(shown());
        assertThat(line.path("type").asString()).isEqualTo("permission");
        assertThat(line.path("tool").asString()).isEqualTo("Write");
        assertThat(line.path("tool_use_id").asString()).isEqualTo("toolu_/x");
        assertThat(line.path("allowed").asBoolean()).isFalse();
    }

    @Test
    void allowAllowsEveryRequestAndAskNeedsATerminal() throws Exception {
        assertThat(Permissions.fixed(Permissions.Mode.ALLOW, new JsonLines(out)).decide(write("/x")))
                .isInstanceOf(PermissionDecision.Allow.class);
        assertThatThrownBy(() -> Permissions.fixed(Permissions.Mode.ASK, new JsonLines(out)))
                .hasMessageContaining("needs a terminal");
        assertThatThrownBy(() -> Permissions.Mode.of("maybe")).hasMessageContaining("ask, allow or deny");
    }

    @Test
    void theQuestionIsAskedAgainUntilAnsweredAndAlwaysHoldsForTheToolFromThenOn() throws Exception {
        ChatScreen screen = new ChatScreen(out);
        Permissions p = Permissions.asking(screen, lines);

        CompletableFuture<PermissionDecision> first = decide(p, write("/a"));
        question(1);
        assertThat(shown()).contains("Claude wants to use Write /a (Path is outside allowed working directories)");
        lines.add("maybe");
        question(2);
        assertThat(shown()).contains("Please answer y (allow once), a (always allow Write) or n (deny).");
        lines.add("a");
        assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(PermissionDecision.Allow.class);

        assertThat(p.decide(write("/b"))).isInstanceOf(PermissionDecision.Allow.class);
        assertThat(shown()).endsWith("[allowed Write /b: always allowed in this session]\n");
    }

    @Test
    void noDeniesOnceAndTheNextRequestIsAskedAgain() throws Exception {
        Permissions p = Permissions.asking(new ChatScreen(out), lines);

        CompletableFuture<PermissionDecision> first = decide(p, write("/a"));
        question(1);
        lines.add("n");
        assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(PermissionDecision.Deny.class);
        CompletableFuture<PermissionDecision> second = decide(p, write("/a"));
        question(2);
        lines.add("y");
        assertThat(second.get(5, TimeUnit.SECONDS)).isInstanceOf(PermissionDecision.Allow.class);
    }

    @Test
    void aWithdrawnQuestionSaysSoAndGivesNoDecision() throws Exception {
        Permissions p = Permissions.asking(new ChatScreen(out), lines);
        CompletableFuture<Thread> asker = new CompletableFuture<>();
        CompletableFuture<PermissionDecision> decision = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            asker.complete(Thread.currentThread());
            try {
                decision.complete(p.decide(write("/a")));
            } catch (InterruptedException e) {
                decision.completeExceptionally(e);
            }
        });
        question(1);

        asker.get(5, TimeUnit.SECONDS).interrupt();

        assertThatThrownBy(() -> decision.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(shown()).endsWith("[permission request for Write withdrawn]\n");
    }
}
