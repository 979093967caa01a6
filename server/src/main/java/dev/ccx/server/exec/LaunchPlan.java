// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A request that passed every check and can be spawned as it is.
 *
 * @param argv        what to exec (a shell and {@code -c} for command strings)
 * @param cwd         working directory
 * @param env         the complete environment of the child
 * @param display     the command as the client wrote it, for logs
 * @param timeout     wall-clock deadline in nanoseconds, or 0 for none
 * @param idleTimeout idle timeout in nanoseconds, or 0 for none
 */
public record LaunchPlan(List<String> argv, Path cwd, Map<String, String> env, String display, long timeout,
                         long idleTimeout) {
}
