// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.PermissionRequest;
import dev.ccx.client.claude.SessionListener;
import dev.ccx.client.claude.TurnResult;

/**
 * Where a chat shows itself: {@link ChatScreen} for a person at a terminal, {@link JsonLines} for a program. As a
 * {@link SessionListener} it sees the session's events on the session's callback thread, and the turns this chat
 * did not send (replayed or adopted by {@code --attach}, {@link TurnResult#adopted()}) end there; the
 * other calls come from the chat's main thread, except {@link #permission}, which comes from the permission
 * callback's. Implementations serialise their writes.
 */
public interface ChatOutput extends SessionListener {
    /**
     * The session runs as execution {@code executionId}: started, or (when {@code attached}) about to be taken up,
     * before its replay.
     */
    void opened(String executionId, boolean attached);

    /** Shows that a prompt is awaited, if anybody is looking, and returns the next line; {@code null} at the end. */
    LineSource.Line readPrompt(LineSource lines) throws InterruptedException;

    /** A turn this chat sent has ended. */
    void turn(TurnResult result, ClaudeSession session);

    /** {@code /cost}. */
    void cost(ClaudeSession session);

    /** {@code /help}. */
    void help();

    /** Something the chat tried failed (a prompt could not be sent, a turn did not end); the chat goes on. */
    void failed(String message);

    /** A permission request decided without asking: by the options, or by an earlier "always". */
    void permission(PermissionRequest request, boolean allowed, String why);

    /** The session is about to be closed or detached: its process ending (or going out of sight) is no news. */
    void closing();

    /** The chat is over: the session was closed, or {@code detached} and runs on. */
    void closed(ClaudeSession session, boolean detached);
}
