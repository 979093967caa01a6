// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.progress;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether a standard stream is a terminal, by libc {@code isatty(3)}. {@code System.console()} cannot answer this
 * for stderr (it looks at stdin and stdout), and progress is drawn on stderr so that stdout stays clean for output.
 */
public final class Terminal {
    private static final MethodHandle ISATTY = lookup();

    private Terminal() {
    }

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor intOfInt = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
            return linker.defaultLookup().find("isatty").map(f -> linker.downcallHandle(f, intOfInt)).orElse(null);
        } catch (RuntimeException | Error e) {
            return null; // no native access: treat every stream as not a terminal
        }
    }

    /** Whether file descriptor {@code fd} (2 for stderr) is a terminal; {@code false} when it cannot be told. */
    public static boolean isTerminal(int fd) {
        if (ISATTY == null) {
            return false;
        }
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /** The terminal's width from {@code COLUMNS}, else 100. */
    static int width() {
        try {
            int w = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
            return w >= 20 ? w : 100;
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
