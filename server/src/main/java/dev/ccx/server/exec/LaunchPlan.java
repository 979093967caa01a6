// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.server.timing.Estimate;
import dev.ccx.server.timing.TaskKey;
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
 * @param idleTimeout     idle timeout in nanoseconds, or 0 for none
 * @param taskKey         the task kind the run is recorded under, or {@code null} before classification
 * @param timeoutSource   where {@code timeout} came from: explicit, history, similar, default or none
 *                        ({@code null} before classification)
 * @param expectedSeconds typical duration of this kind of task, or {@code null} when unknown
 */
public record LaunchPlan(List<String> argv, Path cwd, Map<String, String> env, String display, long timeout,
                         long idleTimeout, TaskKey taskKey, String timeoutSource, Double expectedSeconds) {

    /** This plan, classified, keeping the timeout the request gave (or none). */
    public LaunchPlan classified(TaskKey key) {
        return new LaunchPlan(argv, cwd, env, display, timeout, idleTimeout, key, timeout > 0 ? "explicit" : "none",
                null);
    }

    /** This plan, classified, with the predicted timeout. */
    public LaunchPlan predicted(Estimate e) {
        return new LaunchPlan(argv, cwd, env, display, (long) (e.timeoutSeconds() * 1e9), idleTimeout, e.key(),
                e.source(), e.expectedSeconds());
    }
}
