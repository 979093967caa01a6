// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.progress.ProgressView;
import dev.ccx.cli.progress.Units;
import dev.ccx.cli.report.Report;
import dev.ccx.cli.report.ResultJson;
import dev.ccx.client.CcxClient;
import dev.ccx.client.TaskList;
import dev.ccx.client.TaskResult;
import dev.ccx.client.claude.ClaudeResult;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.PromptWrapper;
import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code ccx claude PROMPT}: one Claude Code run on a ccx server, with live progress on stderr, the answer on stdout,
 * retries after rate and usage limits, and an exit code for scripts.
 */
@picocli.CommandLine.Command(name = "claude", mixinStandardHelpOptions = true,
        description = {"Run a Claude Code prompt on a ccx server: live progress on stderr, the answer on stdout.",
                       "The prompt is passed as one argument to claude -p, never through a shell.",
                       "With --chat: a conversation with one Claude Code session instead (docs/cli.md)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:Claude answered (and the answer matched --schema); --chat: /exit, /detach or end of input",
                        "1:Claude's run failed: an error result, no result, an off-schema answer, a non-zero exit",
                        "2:bad usage",
                        "124:the run hit its timeout (the text so far is still printed)",
                        "125:ccx failed: server not reachable, claude not found, connection lost",
                        "130:canceled (Ctrl-C); the text so far is still printed; --chat: Ctrl-C twice"})
final class ClaudeRunCommand implements Callable<Integer> {
    /** How long a turn of {@code --chat} may run when {@code --timeout} does not say. */
    static final Duration CHAT_TURN_TIMEOUT = Duration.ofHours(1);

    @Mixin
    ServerOptions server;

    @Mixin
    ExecOptions exec;

    @Mixin
    ClaudeOptions claude;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT",
            description = "The prompt (one argument; - reads it from stdin); none with --chat.")
    String prompt;

    @Option(names = "--timeout", paramLabel = "S",
            description = "Deadline per run in seconds; default: predicted. With --chat: per turn, default 3600.")
    Double timeout;

    @Option(names = "--schema", paramLabel = "FILE",
            description = "Ask for a JSON answer matching this JSON schema file ('default': the original's schema).")
    String schema;

    @Option(names = "--resume", paramLabel = "SESSION", description = "Continue this Claude session.")
    String resume;

    @Mixin
    ProgressOptions display;

    @Mixin
    ChatOptions chat;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    ClaudeRunCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        if (chat.enabled) {
            return chat();
        }
        if (prompt == null) {
            throw new IllegalArgumentException("a PROMPT is needed (or --chat for a conversation)");
        }
        if (chat.attach != null || chat.permissionPrompt != null) {
            throw new IllegalArgumentException("--attach and --permission-prompt go with --chat");
        }
        ClaudeTask task = claude.task("-".equals(prompt) ? stdin() : prompt, exec).timeout(ExecOptions.seconds(timeout))
                .schema(schema == null ? null : schema(schema));
        if (resume != null) {
            task = task.command(task.command().resume(resume));
        }
        TaskList one = TaskList.of(false, task);
        try (CcxClient client = server.connect();
             ProgressView view = new ProgressView(display.mode(), out, err, List.of(task.describe()))) {
            Thread main = Thread.currentThread();
            // Interrupting first ends a retry back-off at once and lets the run keep the text so far; the result is
            // printed inside Graceful, because after Ctrl-C the text so far is what the user still needs.
            return Graceful.run(() -> {
                main.interrupt();
                client.close();
            }, () -> {
                // A list of one, so that the run's end reaches the progress view as a batch's or list's does.
                TaskResult r = one.run(client, view).getFirst();
                view.close();
                print(r);
                return ExitCodes.of(r);
            });
        }
    }

    private int chat() {
        if (prompt != null) {
            throw new IllegalArgumentException("--chat reads its prompts from the terminal or stdin, not from an "
                    + "argument; drop \"" + prompt + "\"");
        }
        if (schema != null) {
            throw new IllegalArgumentException("--schema does not apply to --chat");
        }
        if (resume != null && chat.attach != null) {
            throw new IllegalArgumentException("--resume starts a new process for an ended session, --attach takes "
                    + "up a running one; give one of them");
        }
        Duration turnTimeout = timeout == null ? CHAT_TURN_TIMEOUT : ExecOptions.seconds(timeout);
        return new ClaudeChat(server, in, out, err).run(chat, claude.command().resume(resume), exec, turnTimeout,
                display.json);
    }

    private void print(TaskResult r) {
        ClaudeResult c = r.claude();
        if (display.json) {
            out.println(Wire.mapper().writeValueAsString(ResultJson.task("result", r, r.task().describe(), true)));
            out.flush();
            return;
        }
        if (c != null && c.json() != null) {
            out.println(Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(c.json()));
        } else if (c != null && !apiError(c) && !c.text().isEmpty()) {
            out.println(c.text());
        }
        out.flush();
        err.println("ccx claude: " + summary(r));
        if (r.result() != null && !r.succeeded() && !r.result().stderr().isBlank()) {
            err.println("ccx claude: claude's stderr:");
            Report.lastLines(r.result().stderr(), 10).forEach(l -> err.println("  " + l));
        }
        if (r.message() != null && r.message().contains("(-32005)")) {
            err.println("ccx claude: is Claude Code installed on the server's machine? Point --claude-bin "
                    + "(CCX_CLAUDE_BIN) at it");
        }
        err.flush();
    }

    /**
     * Whether the run ended on an API error that Claude Code gave up on: its result text is then the error ("API
     * Error: Request rejected (429) · ..."), not an answer, so it goes to stderr with the summary and not to stdout,
     * where a script would take it for the answer.
     */
    private static boolean apiError(ClaudeResult c) {
        return c.isError() && "success".equals(c.errorSubtype());
    }

    /** "ok · 3 turns · 2 tool calls · 1.2k tokens · $0.0123 · 12.3s · session abc". */
    static String summary(TaskResult r) {
        StringBuilder b = new StringBuilder(Report.label(r));
        ClaudeResult c = r.claude();
        if (c != null && r.attempts() > 0) {
            if (c.numTurns() != null) {
                b.append(" · ").append(c.numTurns()).append(c.numTurns() == 1 ? " turn" : " turns");
            }
            int calls = c.toolCalls().size();
            b.append(" · ").append(calls).append(calls == 1 ? " tool call" : " tool calls");
            b.append(" · ").append(Units.count(c.usage().totalInputTokens())).append(" in / ")
                    .append(Units.count(c.usage().outputTokens())).append(" out tokens");
            if (c.costUsd() != null) {
                b.append(String.format(Locale.ROOT, " · $%.4f", c.costUsd()));
            }
        }
        if (r.result() != null) {
            b.append(" · ").append(Units.duration(r.result().duration()));
        }
        if (r.attempts() > 1) {
            b.append(" · ").append(r.attempts()).append(" attempts");
        }
        if (c != null && c.sessionId() != null) {
            b.append(" · session ").append(c.sessionId());
        }
        if (c != null && c.partial() && r.attempts() > 0) {
            b.append(" · partial: the run ended before Claude's result");
        }
        if (r.message() != null) {
            b.append(System.lineSeparator()).append("ccx claude: ").append(r.message());
        }
        return b.toString();
    }

    private String stdin() throws IOException {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new IllegalArgumentException("the prompt read from stdin is empty");
        }
        return text;
    }

    private static JsonNode schema(String file) {
        if ("default".equals(file)) {
            return PromptWrapper.defaultSchema();
        }
        try {
            JsonNode s = Wire.mapper().readTree(Files.readString(Path.of(file)));
            if (!s.isObject()) {
                throw new IllegalArgumentException("--schema " + file + ": a JSON schema must be an object");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("--schema " + file + ": cannot read it: " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("--schema " + file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
