// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.CcxException;
import dev.ccx.client.claude.ClaudeSession;

/**
 * Ctrl-C at an interactive chat, wired: {@link CtrlC} decides, {@link ChatScreen} says so, and the session is
 * interrupted, or the chat's main thread is, which makes {@link ChatLoop} end with {@link ChatLoop.End#QUIT}.
 */
public final class KeyboardInterrupt {
    private KeyboardInterrupt() {
    }

    /** Traps SIGINT for {@code main}'s chat until the result is closed. */
    public static SigintTrap trap(ClaudeSession session, ChatScreen screen, Thread main) {
        CtrlC keys = new CtrlC(System::nanoTime);
        return SigintTrap.install(() -> {
            CtrlC.Action action = keys.press(session.currentTurn().isPresent());
            screen.pressed(action);
            switch (action) {
                // The interrupt waits for the CLI's answer; the signal's thread must not.
                case INTERRUPT -> Thread.ofVirtual().name("ccx-chat-interrupt").start(() -> interrupt(session, screen));
                case QUIT -> main.interrupt();
                case HINT -> { }
            }
        });
    }

    private static void interrupt(ClaudeSession session, ChatScreen screen) {
        try {
            session.interrupt();
        } catch (CcxException e) {
            screen.line("[could not interrupt Claude: " + e.getMessage() + "]");
        }
    }
}
