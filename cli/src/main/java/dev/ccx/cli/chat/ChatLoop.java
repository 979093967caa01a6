// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.CcxException;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.Turn;
import dev.ccx.client.claude.TurnResult;
import java.time.Duration;
import java.util.Optional;

/**
 * The conversation: reads a line, runs it as a turn (or as a {@link SlashCommand}), shows how the turn ended,
 * and again, until {@code /exit}, {@code /detach}, the end of the input, or an interrupt of the thread that runs it
 * (a quit: Ctrl-C twice, or a signal). It neither closes nor detaches the session; its caller does, as the
 * {@link End} that {@link #run()} returns says.
 */
public final class ChatLoop {
    /** How a chat ended. */
    public enum End {
        /** {@code /exit} or end of input: close the session. */
        EXIT,
        /** {@code /detach}: leave the session running. */
        DETACH,
        /** The thread was interrupted: close the session. */
        QUIT
    }

    private final ClaudeSession session;
    private final ChatOutput output;
    private final LineSource lines;
    private final Duration turnTimeout;

    /**
     * A conversation with {@code session}, shown on {@code output}, read from {@code lines}; a turn that runs
     * longer than {@code turnTimeout} is interrupted and its result shown as timed out.
     */
    public ChatLoop(ClaudeSession session, ChatOutput output, LineSource lines, Duration turnTimeout) {
        this.session = session;
        this.output = output;
        this.lines = lines;
        this.turnTimeout = turnTimeout;
    }

    /** Runs the conversation on this thread; returns how it ended. */
    public End run() {
        try {
            // A turn adopted by an attach runs to its end first; the output shows it as a turn it did not send.
            Optional<Turn> adopted = session.currentTurn();
            if (adopted.isPresent()) {
                await(adopted.get());
            }
            while (true) {
                LineSource.Line line = output.readPrompt(lines);
                if (line == null) {
                    return End.EXIT;
                }
                switch (SlashCommand.of(line.text())) {
                    case EXIT -> {
                        return End.EXIT;
                    }
                    case DETACH -> {
                        return End.DETACH;
                    }
                    case COST -> output.cost(session);
                    case HELP -> output.help();
                    case NONE -> {
                        if (!line.text().isBlank()) {
                            turn(line.text());
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            // The interrupt was the quit, and is handled by returning it; the flag stays clear, since the close
            // that follows must wait for the Claude process.
            return End.QUIT;
        }
    }

    private void turn(String prompt) throws InterruptedException {
        Turn turn;
        try {
            turn = session.send(prompt); // resumes the conversation first when its process has ended
        } catch (CcxException | IllegalStateException e) { // IllegalStateException: nothing to resume
            output.failed(e.getMessage());
            return;
        }
        TurnResult result = await(turn);
        if (result != null) {
            output.turn(result, session);
        }
    }

    /** The turn's result, or {@code null} when it failed (the output has said why). */
    private TurnResult await(Turn turn) throws InterruptedException {
        try {
            return turn.await(turnTimeout);
        } catch (CcxException e) {
            if (Thread.interrupted()) { // the wait was interrupted (and the turn with it): a quit
                throw new InterruptedException();
            }
            output.failed(e.getMessage());
            return null;
        }
    }
}
