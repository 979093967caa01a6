// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.chat.ChatLoop;
import dev.ccx.cli.chat.ChatOutput;
import dev.ccx.cli.chat.ChatScreen;
import dev.ccx.cli.chat.JsonLines;
import dev.ccx.cli.chat.KeyboardInterrupt;
import dev.ccx.cli.chat.LineSource;
import dev.ccx.cli.chat.Permissions;
import dev.ccx.cli.chat.SigintTrap;
import dev.ccx.client.CcxClient;
import dev.ccx.client.CcxException;
import dev.ccx.client.RequestFailedException;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.ClaudeSessionOptions;
import dev.ccx.protocol.ErrorCode;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ccx claude --chat}: one Claude Code session on a ccx server ({@link ClaudeSession}), a conversation of many
 * turns with a person at a terminal ({@link ChatScreen}, Ctrl-C through {@link KeyboardInterrupt}, permission
 * questions) or with a program (JSON lines, {@link JsonLines}). However the chat ends, the session is closed, and
 * its Claude process with it, unless the user chose {@code /detach}.
 */
final class ClaudeChat {
    /** How long the past of an attached session may take to show before the prompt appears. */
    private static final Duration REPLAY_WAIT = Duration.ofSeconds(30);
    /** How long an orderly close may take after a signal before the session is aborted (within Graceful's wait). */
    private static final Duration ORDERLY_CLOSE = Duration.ofSeconds(8);
    private final ServerOptions server;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    ClaudeChat(ServerOptions server, InputStream in, PrintStream out, PrintStream err) {
        this.server = server;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the chat to its end; returns the exit code.
     *
     * @param command     the CLI's options (model, tools, {@code --resume}...), without a prompt
     * @param turnTimeout how long one turn may run before it is interrupted
     * @param json        JSON lines even at a terminal
     */
    int run(ChatOptions chat, ClaudeCommand command, ExecOptions exec, Duration turnTimeout, boolean json) {
        boolean interactive = ChatOptions.interactive(in, out, json);
        Permissions.Mode mode = chat.permissions(interactive);
        ChatScreen screen = interactive ? new ChatScreen(out) : null;
        ChatOutput output = screen != null ? screen : new JsonLines(out);
        LineSource lines = LineSource.start(in);
        Permissions permissions = mode == Permissions.Mode.ASK ? Permissions.asking(screen, lines)
                : Permissions.fixed(mode, output);
        // autoResume: a process that ended while the chat went on (its deadline, a crash) is resumed by the next
        // prompt with --resume, so the conversation survives it.
        ClaudeSessionOptions options = ClaudeSessionOptions.builder(command).cwd(exec.directory()).env(exec.env)
                .permissions(permissions).listener(output).autoResume(true).build();
        try (CcxClient client = server.connect()) {
            ClaudeSession session = open(client, options, chat.attach, output);
            Thread main = Thread.currentThread();
            // SIGTERM, SIGHUP (and SIGINT without a terminal) interrupt the loop, which then closes the session. An
            // orderly close may wait for a turn to stop longer than the JVM waits for it; then it is aborted, so
            // that nothing keeps running on the server once this process is gone.
            return Graceful.run(() -> {
                main.interrupt();
                Thread.ofVirtual().name("ccx-chat-abort").start(() -> {
                    try {
                        Thread.sleep(ORDERLY_CLOSE);
                        session.abort();
                    } catch (InterruptedException e) {
                        // The JVM is going: nothing more to do.
                    }
                });
            }, () -> converse(session, output, screen, lines, turnTimeout));
        } catch (RequestFailedException e) {
            if (e.errorCode() != ErrorCode.SPAWN_FAILED) {
                throw e;
            }
            err.println("ccx claude: " + e.getMessage());
            err.println("ccx claude: is Claude Code installed on the server's machine? Point --claude-bin "
                    + "(CCX_CLAUDE_BIN) at it");
            return ExitCodes.CCX_FAILED;
        }
    }

    private static ClaudeSession open(CcxClient client, ClaudeSessionOptions options, String attach,
            ChatOutput output) {
        if (attach == null) {
            ClaudeSession session = ClaudeSession.start(client, options);
            output.opened(session.executionId(), false);
            return session;
        }
        output.opened(attach, true); // before the replay, which comes as soon as the attach is accepted
        ClaudeSession session = ClaudeSession.attach(client, attach, options);
        awaitReplay(session);
        return session;
    }

    /**
     * Returns once an attached session has handled its replay, so that the past is on the screen before the
     * prompt (a prompt typed meanwhile would wait in the session anyway). Bounded: a huge replay still shows,
     * after the prompt.
     */
    private static void awaitReplay(ClaudeSession session) {
        try {
            session.caughtUp().get(REPLAY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Still replaying, or the process ended: the chat goes on either way.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int converse(ClaudeSession session, ChatOutput output, ChatScreen screen, LineSource lines,
            Duration turnTimeout) {
        ChatLoop.End end = ChatLoop.End.QUIT;
        // Ctrl-C is the chat's only while the loop runs: during the close it ends the JVM as usual (bounded by
        // Graceful, which waits for the close).
        SigintTrap trap = screen == null ? null : KeyboardInterrupt.trap(session, screen, Thread.currentThread());
        try {
            end = new ChatLoop(session, output, lines, turnTimeout).run();
            return end == ChatLoop.End.QUIT ? ExitCodes.CANCELED : ExitCodes.OK;
        } finally {
            if (trap != null) {
                trap.close();
            }
            output.closing();
            boolean detached = end == ChatLoop.End.DETACH && detach(session, output);
            if (!detached) {
                session.close(); // interrupts a running turn, ends stdin, waits (bounded) for the process to exit
            }
            output.closed(session, detached);
        }
    }

    /**
     * Leaves the session running on the server; {@code false} (said on the output) when that failed, and the
     * session is then closed as far as it still can be.
     */
    private static boolean detach(ClaudeSession session, ChatOutput output) {
        try {
            session.detach();
            return true;
        } catch (CcxException e) {
            output.failed("could not detach: " + e.getMessage());
            return false;
        }
    }
}
