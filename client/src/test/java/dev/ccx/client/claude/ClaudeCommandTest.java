// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.client.claude.ClaudeCommand.PermissionMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaudeCommandTest {

    @Test
    void defaultsArePrintModeStreamJsonVerbose() {
        assertThat(ClaudeCommand.of("What is 2+2?").argv())
                .containsExactly("claude", "-p", "What is 2+2?", "--output-format", "stream-json", "--verbose");
    }

    @Test
    void aSessionCommandHasNoPromptAndReadsStreamJsonFromStdin() {
        assertThat(ClaudeCommand.session().model("sonnet").resume("s-1").argv()).containsExactly("claude",
                "--output-format", "stream-json", "--verbose", "--input-format", "stream-json", "--model", "sonnet",
                "--resume", "s-1");
        assertThatThrownBy(() -> ClaudeTask.of(ClaudeCommand.session())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ClaudeSession");
    }

    @Test
    void everyOptionInItsPlace() {
        ClaudeCommand c = ClaudeCommand.of("Fix the build")
                .executable("/opt/claude/bin/claude")
                .includePartialMessages(true)
                .model("sonnet")
                .allowedTools(List.of("Read", "Edit", "Bash(git log:*)"))
                .disallowedTools(List.of("WebFetch"))
                .permissionMode(PermissionMode.ACCEPT_EDITS)
                .mcpConfig("/work/.mcp.json")
                .resume("8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11")
                .maxTurns(12)
                .appendSystemPrompt("Answer in English.")
                .extraArgs(List.of("--add-dir", "/data"));

        assertThat(c.argv()).containsExactly("/opt/claude/bin/claude", "-p", "Fix the build",
                "--output-format", "stream-json", "--verbose", "--include-partial-messages",
                "--model", "sonnet",
                "--permission-mode", "acceptEdits",
                "--max-turns", "12",
                "--mcp-config", "/work/.mcp.json",
                "--resume", "8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11",
                "--append-system-prompt", "Answer in English.",
                "--allowedTools", "Read,Edit,Bash(git log:*)",
                "--disallowedTools", "WebFetch",
                "--add-dir", "/data");
    }

    @Test
    void shellMetacharactersStayInOneElement() {
        String prompt = "Say \"hi\" and 'bye'\nthen run $(rm -rf /) and `id` ; echo $HOME \\ done & | > x";
        List<String> argv = ClaudeCommand.of(prompt).argv();

        assertThat(argv).hasSize(6);
        assertThat(argv.get(2)).isEqualTo(prompt);
    }

    @Test
    void aPromptStartingWithADashComesLastAfterDoubleDash() {
        List<String> argv = ClaudeCommand.of("-v is the flag I mean").allowedTools(List.of("Read")).argv();

        assertThat(argv).containsExactly("claude", "--output-format", "stream-json", "--verbose",
                "--allowedTools", "Read", "-p", "--", "-v is the flag I mean");
    }

    @Test
    void buildersReturnNewInstancesAndRemoveWithNull() {
        ClaudeCommand base = ClaudeCommand.of("x").model("opus");
        ClaudeCommand other = base.model(null).permissionMode(PermissionMode.PLAN);

        assertThat(base.argv()).contains("opus").doesNotContain("--permission-mode");
        assertThat(other.argv()).doesNotContain("--model").containsSubsequence("--permission-mode", "plan");
        assertThat(other.prompt()).isEqualTo("x");
    }

    @Test
    void permissionModesUseTheCliSpelling() {
        assertThat(PermissionMode.values()).extracting(PermissionMode::cli)
                .containsExactly("default", "acceptEdits", "plan", "dontAsk", "bypassPermissions");
        // There is no way to ask for --dangerously-skip-permissions: the CLI refuses it as root.
        assertThat(ClaudeCommand.of("x").permissionMode(PermissionMode.DONT_ASK).argv())
                .doesNotContain("--dangerously-skip-permissions");
    }

    @Test
    void invalidValuesFailAtOnce() {
        assertThatThrownBy(() -> ClaudeCommand.of("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaudeCommand.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ClaudeCommand.of("x").maxTurns(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaudeCommand.of("x").allowedTools(List.of("Read", " ")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaudeCommand.of("x").model(""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void argvIsUnmodifiable() {
        List<String> argv = ClaudeCommand.of("x").argv();

        assertThatThrownBy(() -> argv.add("--oops")).isInstanceOf(UnsupportedOperationException.class);
    }
}
