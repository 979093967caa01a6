// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Takes SIGINT (Ctrl-C at the terminal) away from the JVM's shutdown for as long as it is open, so that Ctrl-C can
 * interrupt a turn and the chat go on. The JDK has no supported API for this: {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, exported for exactly such uses) is what JLine and build tools use, and javac warns about
 * it. The alternative, turning the terminal's ISIG off and reading keys raw, would mean writing a line editor,
 * whereas with SIGINT the terminal keeps its own line editing (erase, Ctrl-U, Ctrl-D) and echo.
 *
 * <p>The JVM runs the handler on a thread of its own per signal; it must return quickly.
 */
public final class SigintTrap implements AutoCloseable {
    private static final Signal INT = new Signal("INT");
    private final SignalHandler previous;

    private SigintTrap(Runnable onPress) {
        previous = Signal.handle(INT, s -> onPress.run());
    }

    /** Calls {@code onPress} on every SIGINT until {@link #close()}. */
    public static SigintTrap install(Runnable onPress) {
        return new SigintTrap(onPress);
    }

    /** Gives SIGINT back to the handler that had it (the JVM's: shutdown). */
    @Override
    public void close() {
        Signal.handle(INT, previous);
    }
}
