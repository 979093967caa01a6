// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What Ctrl-C means in an interactive chat: during a turn it interrupts the turn, at the prompt it says how to quit,
 * and a second press within {@link #WINDOW} of the one before quits, wherever it comes. The second press is the way
 * out of anything (a turn that does not end, a question nobody answers), and a single stray one loses nothing.
 * Thread-safe; the clock is injected.
 */
public final class CtrlC {
    /** How close two presses must be to quit. */
    public static final Duration WINDOW = Duration.ofSeconds(2);

    /** What a press asks for. */
    public enum Action {
        /** Interrupt the running turn. */
        INTERRUPT,
        /** At the prompt: say that a second press quits. */
        HINT,
        /** Close the session and exit. */
        QUIT
    }

    private final LongSupplier nanos;
    private long last;
    private boolean pressed;

    /** Presses timed by {@code nanos} ({@link System#nanoTime} outside tests). */
    public CtrlC(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** The action for a press now, {@code turnRunning} saying whether a turn runs. */
    public synchronized Action press(boolean turnRunning) {
        long now = nanos.getAsLong();
        boolean second = pressed && now - last <= WINDOW.toNanos();
        pressed = true;
        last = now;
        if (second) {
            return Action.QUIT;
        }
        return turnRunning ? Action.INTERRUPT : Action.HINT;
    }
}
