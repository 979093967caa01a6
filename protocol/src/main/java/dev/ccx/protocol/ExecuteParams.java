// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;
import java.util.Map;

/**
 * Params of {@code execute}. Exactly one of {@code command} (a shell string) and {@code argv} (run without a shell)
 * is set. Durations are seconds; {@code null} means "not given".
 *
 * @param command     shell command line, run with the server's shell ({@code CC_EXECUTOR_SHELL})
 * @param argv        program and arguments, run directly
 * @param timeout     wall-clock deadline in seconds
 * @param idleTimeout seconds without output on either stream after which the execution ends
 * @param cwd         working directory; the server's own when {@code null}
 * @param env         variables added to (or replacing those of) the server's environment
 */
public record ExecuteParams(String command, List<String> argv, Double timeout, Double idleTimeout, String cwd,
                            Map<String, String> env) {

    /** A shell command with no options. */
    public static ExecuteParams shell(String command) {
        return new ExecuteParams(command, null, null, null, null, null);
    }

    /** A program run without a shell, with no options. */
    public static ExecuteParams argv(List<String> argv) {
        return new ExecuteParams(null, List.copyOf(argv), null, null, null, null);
    }
}
