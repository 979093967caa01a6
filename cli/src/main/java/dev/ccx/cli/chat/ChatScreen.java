// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.PermissionRequest;
import dev.ccx.client.claude.TurnResult;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chat at a terminal: Claude's text as it streams, a bracketed line per tool call and per turn, the prompt and
 * permission questions, all on stdout.
 *
 * <p>The terminal stays in its normal line mode, so it echoes what is typed and owns the line being edited; this
 * class keeps track of where the cursor is (at the start of a line or not) so that every line it writes starts on
 * a fresh one, and of whether the prompt is showing: output that arrives while the chat waits at the prompt (a turn
 * replayed or adopted by {@code --attach}) moves below it, and the prompt is shown again after the next whole line.
 * Writes come from the session's callback thread, the main thread, permission threads and the SIGINT handler; each
 * is done under one lock, which is never held while waiting for anything but the terminal.
 */
public final class ChatScreen implements ChatOutput {
    static final String PROMPT = "> ";

    private final PrintStream out;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private boolean lineStart = true;
    private boolean waiting;
    private boolean promptShown;
    /** The text block being streamed (message id and block index), to start a new line when another begins. */
    private String block;
    /** Messages whose text came as partial text: their complete text blocks were shown already. */
    private final Set<String> streamed = new HashSet<>();
    private volatile boolean closing;

    /** Writes to {@code out}, a terminal. */
    public ChatScreen(PrintStream out) {
        this.out = out;
    }

    // ---- the session's events (its callback thread) ----------------------------------------------------------

    @Override
    public void event(ClaudeEvent e) {
        switch (e) {
            case ClaudeEvent.PartialText p -> partial(p);
            case ClaudeEvent.AssistantText a when a.parentToolUseId() == null -> whole(a);
            case ClaudeEvent.ToolUse t -> line("[" + (t.parentToolUseId() == null ? "" : "sub-agent ")
                    + ToolSummary.of(t.name(), t.input()) + "]");
            case ClaudeEvent.ToolResult r when r.isError() -> line("[tool error: " + ToolSummary.cut(r.content()) + "]");
            case ClaudeEvent.ApiRetry r -> line("[API retry " + r.attempt() + (r.httpStatus() == null ? ""
                    : " after HTTP " + r.httpStatus()) + "]");
            default -> { }
        }
    }

    private void partial(ClaudeEvent.PartialText p) {
        lock.lock();
        try {
            if (p.messageId() != null) {
                streamed.add(p.messageId());
            }
            hidePrompt();
            String key = p.messageId() + "#" + p.index();
            if (!key.equals(block) && !lineStart) {
                write("\n");
            }
            block = key;
            write(p.text());
        } finally {
            lock.unlock();
        }
    }

    private void whole(ClaudeEvent.AssistantText a) {
        lock.lock();
        try {
            if (a.messageId() != null && streamed.contains(a.messageId())) {
                return; // shown as it streamed
            }
            line(a.text());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void turnEnded(TurnResult result) {
        if (result.adopted()) { // a turn this chat did not send: nobody else shows its end
            line(TurnText.footer(result));
        }
    }

    @Override
    public void processEnded(String why) {
        if (!closing) {
            line("[" + why + "; the next prompt resumes the conversation]");
        }
    }

    // ---- the main thread ---------------------------------------------------------------------------------------

    @Override
    public void opened(String executionId, boolean attached) {
        line("Claude Code through ccx, execution " + executionId + (attached
                ? ", taken up: what it did so far comes first" : "") + ".");
        line("Ctrl-C interrupts Claude (twice: quit), Ctrl-D or /exit quits, /help lists the commands.");
    }

    @Override
    public LineSource.Line readPrompt(LineSource lines) throws InterruptedException {
        long shown;
        lock.lock();
        try {
            shown = lines.now();
            if (!lineStart) {
                write("\n");
            }
            write(PROMPT);
            waiting = true;
            promptShown = true;
        } finally {
            lock.unlock();
        }
        LineSource.Line line = null;
        try {
            line = lines.next();
            return line;
        } finally {
            lock.lock();
            try {
                waiting = false;
                if (line != null && line.arrived() - shown < 0 && promptShown) {
                    write(line.text() + "\n"); // typed ahead during the turn: show it after the prompt it answers
                } else if (line != null) {
                    lineStart = true; // the terminal echoed the Enter
                } else if (!lineStart) {
                    write("\n"); // end of input (Ctrl-D) or a quit: leave the prompt's line
                }
                promptShown = false;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void turn(TurnResult result, ClaudeSession session) {
        line(TurnText.footer(result));
    }

    @Override
    public void cost(ClaudeSession session) {
        line(TurnText.totals(SessionTotals.of(session)));
    }

    @Override
    public void help() {
        for (SlashCommand c : SlashCommand.values()) {
            if (c != SlashCommand.NONE) {
                line(String.format("  %-8s %s", c.word(), c.help()));
            }
        }
        line("  Ctrl-C   interrupt Claude's turn; twice within " + CtrlC.WINDOW.toSeconds() + " s: quit");
        line("  Ctrl-D   quit (at an empty prompt)");
    }

    @Override
    public void failed(String message) {
        line("[error: " + message + "]");
    }

    @Override
    public void permission(PermissionRequest request, boolean allowed, String why) {
        line("[" + (allowed ? "allowed " : "denied ") + ToolSummary.of(request.toolName(), request.input()) + ": "
                + why + "]");
    }

    @Override
    public void closing() {
        closing = true;
    }

    @Override
    public void closed(ClaudeSession session, boolean detached) {
        if (detached) {
            line("Detached: the session runs on as execution " + session.executionId() + ". Take it up again with: "
                    + "ccx claude --chat --attach " + session.executionId());
        } else {
            line("Session closed. " + TurnText.totals(SessionTotals.of(session)));
        }
    }

    // ---- permission questions and Ctrl-C ---------------------------------------------------------------------

    /** Shows the question for {@code request}; the answer is typed on the same line. */
    void ask(PermissionRequest request) {
        lock.lock();
        try {
            hidePrompt();
            if (!lineStart) {
                write("\n");
            }
            String why = request.reason() == null ? "" : " (" + ToolSummary.cut(request.reason()) + ")";
            write("Claude wants to use " + ToolSummary.of(request.toolName(), request.input()) + why + "\n");
            write("  allow once [y], always [a], deny [n]? ");
            block = null;
        } finally {
            lock.unlock();
        }
    }

    /** The answer was typed: the terminal echoed its Enter. */
    void answered() {
        lock.lock();
        try {
            lineStart = true;
        } finally {
            lock.unlock();
        }
    }

    /** Ctrl-C was pressed (the terminal echoed {@code ^C}); says what it does unless that shows by itself. */
    void pressed(CtrlC.Action action) {
        lock.lock();
        try {
            lineStart = false;
            promptShown = false;
            if (action == CtrlC.Action.HINT) {
                line("(Ctrl-C again within " + CtrlC.WINDOW.toSeconds() + " s quits; so do /exit and Ctrl-D)");
            } else {
                write("\n");
                block = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A line of its own; the prompt is shown again after it when the chat waits there. */
    void line(String text) {
        lock.lock();
        try {
            hidePrompt();
            if (!lineStart) {
                write("\n");
            }
            write(text + "\n");
            block = null;
            if (waiting && !promptShown) {
                write(PROMPT);
                promptShown = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Output arrives while the prompt shows: it goes below the prompt's line. */
    private void hidePrompt() {
        if (promptShown) {
            write("\n");
            promptShown = false;
        }
    }

    private void write(String s) {
        out.print(s);
        out.flush();
        if (!s.isEmpty()) {
            lineStart = s.endsWith("\n");
        }
    }
}
