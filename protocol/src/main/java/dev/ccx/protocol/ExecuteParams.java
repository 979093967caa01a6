// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param onDisconnect what a lost connection does to the execution: {@link OnDisconnect#KILL} (the default) ends it,
 *                     {@link OnDisconnect#KEEP} lets it run on for {@code linger}, to be attached again
 * @param linger      seconds a kept execution may run with no connection following it before it ends with reason
 *                    {@code abandoned}; the server's {@code --linger} when {@code null}
 * @param stdin       {@code true} to give the process a pipe as stdin, written with the {@code stdin} method;
 *                    {@code /dev/null} otherwise
 * @param require     cluster: labels the worker must have been started with ({@code --label}); every one of them
 * @param idempotencyKey a second execute with the same key (and credentials) within 24 h gets the first one's
 *                    execution instead of starting another
 * @param retryOnLoss cluster: when the worker running it is lost, start it again on another worker instead of ending
 *                    it with reason {@code worker_lost} (for idempotent work)
 */
public record ExecuteParams(String command, List<String> argv, Double timeout, Double idleTimeout, String cwd,
                            Map<String, String> env, OnDisconnect onDisconnect, Double linger, Boolean stdin,
                            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> require,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String idempotencyKey,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Boolean retryOnLoss) {
    /** The params without the cluster's options. */
    public ExecuteParams(String command, List<String> argv, Double timeout, Double idleTimeout, String cwd,
                         Map<String, String> env, OnDisconnect onDisconnect, Double linger, Boolean stdin) {
        this(command, argv, timeout, idleTimeout, cwd, env, onDisconnect, linger, stdin, null, null, null);
    }


    /** The params the original protocol had: killed on disconnect, no stdin. */
    public ExecuteParams(String command, List<String> argv, Double timeout, Double idleTimeout, String cwd,
                         Map<String, String> env) {
        this(command, argv, timeout, idleTimeout, cwd, env, null, null, null);
    }

    /** A shell command with no options. */
    public static ExecuteParams shell(String command) {
        return new ExecuteParams(command, null, null, null, null, null);
    }

    /** A program run without a shell, with no options. */
    public static ExecuteParams argv(List<String> argv) {
        return new ExecuteParams(null, List.copyOf(argv), null, null, null, null);
    }
}
