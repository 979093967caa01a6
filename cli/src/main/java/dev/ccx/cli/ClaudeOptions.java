// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How Claude Code is run, for {@code ccx claude} and the prompt tasks of {@code ccx tasks} and {@code ccx batch}.
 * Claude Code refuses {@code --permission-mode bypassPermissions} (and {@code --dangerously-skip-permissions}) as
 * root, so grant tools with {@code --allowed-tools} and pick {@code --permission-mode acceptEdits} there.
 */
final class ClaudeOptions {
    @Option(names = "--claude-bin", paramLabel = "PATH", defaultValue = "${env:CCX_CLAUDE_BIN:-claude}",
            description = "The claude program on the server's machine (env CCX_CLAUDE_BIN; default ${DEFAULT-VALUE}).")
    String executable;

    @Option(names = "--model", description = "Model, for example sonnet or opus.")
    String model;

    @Option(names = "--allowed-tools", split = ",", paramLabel = "RULE",
            description = "Tools Claude may use without asking, for example Write,Read,Bash(git log:*).")
    List<String> allowedTools = new ArrayList<>();

    @Option(names = "--disallowed-tools", split = ",", paramLabel = "RULE", description = "Tools Claude must not use.")
    List<String> disallowedTools = new ArrayList<>();

    @Option(names = "--permission-mode", paramLabel = "MODE",
            description = "default, acceptEdits, plan, dontAsk or bypassPermissions (refused as root).")
    String permissionMode;

    @Option(names = "--max-turns", paramLabel = "N", description = "Stop after N agent turns.")
    Integer maxTurns;

    @Option(names = "--mcp-config", paramLabel = "FILE", description = "MCP servers to load (a file or JSON).")
    String mcpConfig;

    @Option(names = "--append-system-prompt", paramLabel = "TEXT", description = "Appended to the system prompt.")
    String appendSystemPrompt;

    @Option(names = "--partial-messages", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Stream token-level events for live progress (default on; --no-partial-messages).")
    boolean partialMessages;

    @Option(names = "--claude-arg", paramLabel = "ARG", description = "An extra argument for claude (repeatable).")
    List<String> extraArgs = new ArrayList<>();

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "3",
            description = "Runs at most, the first included, when Claude hits a rate or usage limit (default 3).")
    int attempts;

    @Option(names = "--retry-delay", paramLabel = "S", defaultValue = "5",
            description = "Back-off before the first retry in seconds, at most (default 5); it doubles per retry, "
                    + "up to 60 s, with full jitter.")
    double retryDelay;

    /** A task for {@code prompt} with these options, run in {@code exec}'s directory and environment. */
    ClaudeTask task(String prompt, ExecOptions exec) {
        return ClaudeTask.of(command().prompt(prompt)).cwd(exec.directory()).env(exec.env).retry(retryPolicy());
    }

    /** The command these options ask for, without a prompt: a live session's, as {@code --chat} runs it. */
    ClaudeCommand command() {
        return ClaudeCommand.session().executable(executable).model(model).allowedTools(allowedTools)
                .disallowedTools(disallowedTools).permissionMode(mode()).maxTurns(maxTurns).mcpConfig(mcpConfig)
                .appendSystemPrompt(appendSystemPrompt).includePartialMessages(partialMessages).extraArgs(extraArgs);
    }

    /** {@link RetryPolicy#DEFAULT} with {@code --attempts} and {@code --retry-delay}. */
    private RetryPolicy retryPolicy() {
        if (attempts < 1) {
            throw new IllegalArgumentException("--attempts must be at least 1 (1: never retry), got " + attempts);
        }
        if (!(retryDelay >= 0) || Double.isInfinite(retryDelay)) {
            throw new IllegalArgumentException("--retry-delay must be a number of seconds, 0 or more, got "
                    + retryDelay);
        }
        RetryPolicy d = RetryPolicy.DEFAULT;
        Duration base = Duration.ofMillis(Math.round(retryDelay * 1000));
        // A first back-off above the default cap raises the cap, so the option is never clamped silently.
        Duration max = base.compareTo(d.maxDelay()) > 0 ? base : d.maxDelay();
        return new RetryPolicy(attempts, base, max, d.totalBudget());
    }

    private ClaudeCommand.PermissionMode mode() {
        if (permissionMode == null) {
            return null;
        }
        return ClaudeCommand.PermissionMode.ofCli(permissionMode).orElseThrow(() -> new IllegalArgumentException(
                "--permission-mode must be one of " + ClaudeCommand.PermissionMode.spellings() + "; got "
                        + permissionMode));
    }
}
