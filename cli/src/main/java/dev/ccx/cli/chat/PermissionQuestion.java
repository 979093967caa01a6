// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.claude.PermissionRequest;
import java.util.Locale;

/**
 * Asks the person at the terminal whether a tool may run, and reads the answer from the chat's one
 * {@link LineSource}: the first line typed after the question was shown (a prompt typed ahead stays a prompt). An
 * answer that is none of y, a or n asks again.
 */
final class PermissionQuestion {
    /** What the person answered. */
    enum Answer {
        ONCE, ALWAYS, DENY, NONE
    }

    private final ChatScreen screen;
    private final LineSource lines;

    PermissionQuestion(ChatScreen screen, LineSource lines) {
        this.screen = screen;
        this.lines = lines;
    }

    /**
     * The answer to {@code request}; {@link Answer#NONE} when the input ended first.
     *
     * @throws InterruptedException the request was withdrawn (an interrupt, the session's permission timeout)
     */
    Answer ask(PermissionRequest request) throws InterruptedException {
        try {
            while (true) {
                long shown = lines.now();
                screen.ask(request);
                LineSource.Line line = lines.nextAfter(shown);
                if (line == null) {
                    screen.line("[no answer: the input ended; denied]");
                    return Answer.NONE;
                }
                screen.answered();
                Answer a = parse(line.text());
                if (a != Answer.NONE) {
                    return a;
                }
                screen.line("Please answer y (allow once), a (always allow " + request.toolName() + ") or n (deny).");
            }
        } catch (InterruptedException e) {
            screen.line("[permission request for " + request.toolName() + " withdrawn]");
            throw e;
        }
    }

    static Answer parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "y", "yes" -> Answer.ONCE;
            case "a", "always" -> Answer.ALWAYS;
            case "n", "no" -> Answer.DENY;
            default -> Answer.NONE;
        };
    }
}
