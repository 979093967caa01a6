// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable builder for the argv of one headless Claude Code run:
 * {@code claude -p PROMPT --output-format stream-json --verbose [options...]}.
 *
 * <p>Every value, the prompt included, is one argv element: the result of {@link #argv()} is meant for
 * {@code ProcessBuilder} or the server's {@code argv} form of {@code execute}, never for a shell. Quotes, newlines,
 * {@code $(...)} and backquotes in a prompt therefore reach Claude unchanged (the original escaped only {@code "},
 * {@code $} and {@code `} and ran the line through {@code /bin/sh -c}, so backslashes and other metacharacters were
 * still interpreted).
 *
 * <p><b>Permissions.</b> Claude Code refuses {@code --dangerously-skip-permissions} when it runs as root, and since
 * 2.x also {@code --permission-mode bypassPermissions} (it prints "--dangerously-skip-permissions cannot be used with
 * root/sudo privileges for security reasons" and exits 1; anthropics/claude-code#9184, #58150). Tests and CI here run
 * as root. So this builder has no "skip permissions" switch: grant what the task needs with
 * {@link #allowedTools(List)} and pick {@link PermissionMode#ACCEPT_EDITS} (or {@link PermissionMode#DONT_ASK}) with
 * {@link #permissionMode(PermissionMode)}. In {@code -p} mode a tool that is not allowed is denied, not prompted for.
 *
 * <p><b>Layout.</b> The prompt follows {@code -p} directly, as the original's lessons recommend. A prompt that starts
 * with {@code -} would be taken for an option, so in that case the options come first and the command ends with
 * {@code -p -- PROMPT}. Tool lists are passed as one comma-joined element after their flag, as the Agent SDK does;
 * the flags are variadic in the CLI, which is also why {@link #extraArgs(List)} go last.
 *
 * <p>Instances are immutable and thread-safe. Every {@code withX}-style method returns a new instance; invalid values
 * (blank prompt, blank tool name, negative max turns) fail at once with {@link IllegalArgumentException} and
 * {@code null} with {@link NullPointerException}.
 *
 * @param executable the program to run, normally {@code claude} (a path is fine)
 * @param prompt the task text, sent as one argv element; {@code null} for a live session ({@link #session()}),
 *     whose prompts come as stream-json lines on stdin
 * @param includePartialMessages add {@code --include-partial-messages} (token-level {@code stream_event} lines)
 * @param model {@code --model} value, or {@code null} for the CLI's default
 * @param allowedTools {@code --allowedTools} rules such as {@code Read} or {@code Bash(git log:*)}; empty for none
 * @param disallowedTools {@code --disallowedTools} rules; empty for none
 * @param permissionMode {@code --permission-mode}, or {@code null} for the CLI's default
 * @param mcpConfig {@code --mcp-config} path (or JSON text), or {@code null}
 * @param resume {@code --resume} session id, or {@code null}
 * @param maxTurns {@code --max-turns}, or {@code null}
 * @param appendSystemPrompt {@code --append-system-prompt} text, or {@code null}
 * @param extraArgs further arguments appended verbatim at the end
 */
public record ClaudeCommand(String executable, String prompt, boolean includePartialMessages, String model,
        List<String> allowedTools, List<String> disallowedTools, PermissionMode permissionMode, String mcpConfig,
        String resume, Integer maxTurns, String appendSystemPrompt, List<String> extraArgs) {

    /** The program name used by {@link #of(String)}. */
    public static final String DEFAULT_EXECUTABLE = "claude";

    /** Values of {@code --permission-mode} that make sense for unattended runs, with their CLI spelling. */
    public enum PermissionMode {
        /** The CLI's default: anything not allowed is denied in {@code -p} mode. */
        DEFAULT("default"),
        /** File edits are accepted without asking; other tools still need {@code --allowedTools}. */
        ACCEPT_EDITS("acceptEdits"),
        /** Read-only planning; nothing is changed. */
        PLAN("plan"),
        /** Never ask; deny whatever is not pre-approved. Works as root. */
        DONT_ASK("dontAsk"),
        /** Skip all permission checks. <b>Refused by Claude Code when running as root</b>; see the class comment. */
        BYPASS_PERMISSIONS("bypassPermissions");

        private final String cli;

        PermissionMode(String cli) {
            this.cli = cli;
        }

        /** Returns the value as the CLI spells it, for example {@code acceptEdits}. */
        public String cli() {
            return cli;
        }

        /** The mode the CLI spells {@code spelling}, if any. */
        public static Optional<PermissionMode> ofCli(String spelling) {
            return Arrays.stream(values()).filter(m -> m.cli.equals(spelling)).findFirst();
        }

        /** Every spelling, comma-separated, for error messages. */
        public static String spellings() {
            return String.join(", ", Arrays.stream(values()).map(PermissionMode::cli).toList());
        }
    }

    /** Validates and copies the lists; see the class comment for what fails how. */
    public ClaudeCommand {
        Objects.requireNonNull(executable, "executable");
        if (executable.isBlank()) {
            throw new IllegalArgumentException("executable is blank");
        }
        if (prompt != null && prompt.isBlank()) {
            throw new IllegalArgumentException("prompt is blank");
        }
        allowedTools = tools(allowedTools, "allowedTools");
        disallowedTools = tools(disallowedTools, "disallowedTools");
        extraArgs = List.copyOf(Objects.requireNonNull(extraArgs, "extraArgs"));
        if (maxTurns != null && maxTurns < 1) {
            throw new IllegalArgumentException("maxTurns must be at least 1: " + maxTurns);
        }
    }

    /** Starts a command for {@code prompt} with the defaults: {@code claude}, stream-json, nothing else. */
    public static ClaudeCommand of(String prompt) {
        return new ClaudeCommand(DEFAULT_EXECUTABLE, Objects.requireNonNull(prompt, "prompt"), false, null, List.of(), List.of(), null, null, null,
                null, null, List.of());
    }

    /**
     * Starts a command for a live session with the defaults: {@code claude --output-format stream-json --verbose
     * --input-format stream-json}, no prompt; user messages and control requests then come on stdin (see
     * {@link ClaudeSession}).
     */
    public static ClaudeCommand session() {
        return new ClaudeCommand(DEFAULT_EXECUTABLE, null, false, null, List.of(), List.of(), null, null, null,
                null, null, List.of());
    }

    /** Returns a copy that runs {@code path} instead of {@code claude}. */
    public ClaudeCommand executable(String path) {
        return new ClaudeCommand(path, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with another prompt ({@code null}: a live session's command). */
    public ClaudeCommand prompt(String text) {
        return new ClaudeCommand(executable, text, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with or without {@code --include-partial-messages}. */
    public ClaudeCommand includePartialMessages(boolean on) {
        return new ClaudeCommand(executable, prompt, on, model, allowedTools, disallowedTools, permissionMode,
                mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with {@code --model name}; {@code null} removes it. */
    public ClaudeCommand model(String name) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, blankToNull(name, "model"), allowedTools,
                disallowedTools, permissionMode, mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy whose {@code --allowedTools} are {@code rules} (replacing earlier ones). */
    public ClaudeCommand allowedTools(List<String> rules) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, rules, disallowedTools,
                permissionMode, mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy whose {@code --disallowedTools} are {@code rules} (replacing earlier ones). */
    public ClaudeCommand disallowedTools(List<String> rules) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, rules,
                permissionMode, mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with {@code --permission-mode mode}; {@code null} removes it. */
    public ClaudeCommand permissionMode(PermissionMode mode) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                mode, mcpConfig, resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with {@code --mcp-config path}; {@code null} removes it. */
    public ClaudeCommand mcpConfig(String path) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, blankToNull(path, "mcpConfig"), resume, maxTurns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with {@code --resume sessionId}; {@code null} removes it. */
    public ClaudeCommand resume(String sessionId) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, mcpConfig, blankToNull(sessionId, "resume"), maxTurns, appendSystemPrompt,
                extraArgs);
    }

    /** Returns a copy with {@code --max-turns turns}; {@code null} removes it. */
    public ClaudeCommand maxTurns(Integer turns) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, mcpConfig, resume, turns, appendSystemPrompt, extraArgs);
    }

    /** Returns a copy with {@code --append-system-prompt text}; {@code null} removes it. */
    public ClaudeCommand appendSystemPrompt(String text) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, mcpConfig, resume, maxTurns, blankToNull(text, "appendSystemPrompt"), extraArgs);
    }

    /** Returns a copy whose extra arguments (appended last, verbatim) are {@code args}. */
    public ClaudeCommand extraArgs(List<String> args) {
        return new ClaudeCommand(executable, prompt, includePartialMessages, model, allowedTools, disallowedTools,
                permissionMode, mcpConfig, resume, maxTurns, appendSystemPrompt, args);
    }

    /** Returns the argv, program first; a fresh unmodifiable list. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>();
        argv.add(executable);
        // A leading '-' would make the CLI's option parser take the prompt for a flag.
        boolean session = prompt == null;
        boolean dash = !session && prompt.startsWith("-");
        if (!session && !dash) {
            argv.add("-p");
            argv.add(prompt);
        }
        argv.add("--output-format");
        argv.add("stream-json");
        argv.add("--verbose"); // mandatory with -p and stream-json
        if (session) {
            argv.add("--input-format");
            argv.add("stream-json");
        }
        if (includePartialMessages) {
            argv.add("--include-partial-messages");
        }
        option(argv, "--model", model);
        option(argv, "--permission-mode", permissionMode == null ? null : permissionMode.cli());
        option(argv, "--max-turns", maxTurns == null ? null : maxTurns.toString());
        option(argv, "--mcp-config", mcpConfig);
        option(argv, "--resume", resume);
        option(argv, "--append-system-prompt", appendSystemPrompt);
        option(argv, "--allowedTools", allowedTools.isEmpty() ? null : String.join(",", allowedTools));
        option(argv, "--disallowedTools", disallowedTools.isEmpty() ? null : String.join(",", disallowedTools));
        argv.addAll(extraArgs);
        if (dash) {
            argv.add("-p");
            argv.add("--");
            argv.add(prompt);
        }
        return List.copyOf(argv);
    }

    private static void option(List<String> argv, String flag, String value) {
        if (value != null) {
            argv.add(flag);
            argv.add(value);
        }
    }

    private static List<String> tools(List<String> rules, String what) {
        List<String> copy = List.copyOf(Objects.requireNonNull(rules, what));
        for (String rule : copy) {
            if (rule.isBlank()) {
                throw new IllegalArgumentException(what + " contains a blank rule");
            }
        }
        return copy;
    }

    private static String blankToNull(String value, String what) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(what + " is blank");
        }
        return value;
    }
}
