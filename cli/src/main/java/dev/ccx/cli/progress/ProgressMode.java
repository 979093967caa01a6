// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.progress;

/**
 * How live progress is shown. {@code --progress auto} (the default) picks {@link #TTY} when stderr is a terminal and
 * {@link #PLAIN} otherwise; {@code --json} picks {@link #JSON}.
 */
public enum ProgressMode {
    /** A status line on stderr, redrawn in place four times a second. */
    TTY,
    /** Plain lines on stderr at each start, tool call, retry and end, and every 10 s while work runs: for logs. */
    PLAIN,
    /** JSON lines on stdout, one per event, for machines. */
    JSON,
    /** Nothing. */
    NONE;

    /** {@code auto}, {@code tty}, {@code plain} or {@code none}; {@code json} wins over all of them. */
    public static ProgressMode choose(String flag, boolean json) {
        if (json) {
            return JSON;
        }
        return switch (flag == null ? "auto" : flag) {
            case "tty" -> TTY;
            case "plain" -> PLAIN;
            case "none" -> NONE;
            case "auto" -> Terminal.isTerminal(2) ? TTY : PLAIN;
            default -> throw new IllegalArgumentException("--progress must be auto, tty, plain or none, got " + flag);
        };
    }
}
