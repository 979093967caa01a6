// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.CcxException;
import dev.ccx.client.CcxTimeoutException;
import dev.ccx.client.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * One prompt of a {@link ClaudeSession} and its answer as it comes. Turns run one after another: a turn sent while
 * another runs waits in the session and is written to the CLI after the earlier one's {@code result}.
 */
public final class Turn {
    private final ClaudeSession session;
    /** Given when the turn starts: prompts wait for the turns before them, including those of a replay. */
    private volatile int index;
    /** Set later for a turn adopted on attach, when the CLI's echo of the prompt arrives after its init. */
    private volatile String prompt;
    private final JsonNode schema;
    final byte[] line;
    final StreamJsonParser parser;
    private final CompletableFuture<TurnResult> result = new CompletableFuture<>();
    /** When the prompt was written; 0 until then. */
    volatile long startedNanos;

    Turn(ClaudeSession session, String prompt, JsonNode schema, byte[] line, SessionListener listener) {
        this.session = session;
        this.prompt = prompt;
        this.schema = schema;
        this.line = line;
        this.parser = new StreamJsonParser(listener == null ? e -> { } : e -> ClaudeSession.tell(listener, e));
    }

    /** The turn's number in the session, from 1; 0 while it waits for the turns before it. */
    public int index() {
        return index;
    }

    void numbered(int n) {
        index = n;
    }

    /** The prompt's text, or {@code null} for content blocks and for turns this client did not send. */
    public String prompt() {
        return prompt;
    }

    void promptSeen(String text) {
        if (prompt == null && adopted()) {
            prompt = text;
        }
    }

    /** Whether another client sent it (seen in an attach's replay). */
    boolean adopted() {
        return line == null;
    }

    JsonNode schema() {
        return schema;
    }

    /** Turns, tool calls, tokens and text of this turn so far. */
    public Progress progress() {
        return parser.progress();
    }

    /**
     * Completes with the turn's result; exceptionally with {@link ClaudeSessionException} when it could not be sent
     * (the session was closed, or its process had ended before the prompt was written).
     */
    public CompletableFuture<TurnResult> result() {
        return result;
    }

    /**
     * Waits for the result. When {@code timeout} runs out the turn is interrupted, and the interrupted turn's
     * result comes back with {@link TurnResult#timedOut()} set (waiting up to twice the session's control timeout
     * more: the interrupt's answer, then the turn's end). A turn still waiting for an earlier one is withdrawn.
     *
     * @throws CcxTimeoutException when even the interrupted turn does not end
     */
    public TurnResult await(Duration timeout) {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            session.interruptTurn(this);
            try {
                return result.get(session.controlTimeout().toNanos(), TimeUnit.NANOSECONDS).withTimedOut();
            } catch (TimeoutException again) {
                throw new CcxTimeoutException("turn " + index + " did not end within " + timeout
                        + ", nor after it was interrupted");
            } catch (InterruptedException | ExecutionException other) {
                return rethrow(other);
            }
        } catch (InterruptedException | ExecutionException e) {
            return rethrow(e);
        }
    }

    private TurnResult rethrow(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            session.interruptTurn(this); // nobody waits for it any more
            throw new CcxException("interrupted while waiting for turn " + index, e);
        }
        if (e.getCause() instanceof CcxException c) {
            throw c;
        }
        throw new CcxException("turn " + index + " failed: " + e.getCause(), e.getCause());
    }

    boolean complete(TurnResult r) {
        return result.complete(r);
    }

    boolean fail(CcxException e) {
        return result.completeExceptionally(e);
    }

    @Override
    public String toString() {
        return "turn " + index + (prompt == null ? "" : ": " + Task.oneLine(prompt, 60));
    }
}
