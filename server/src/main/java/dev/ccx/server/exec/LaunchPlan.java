// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.server.timing.Estimate;
import dev.ccx.server.timing.TaskKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A request that passed every check and can be spawned as it is.
 *
 * @param program     {@code argv[0]} resolved on the child's {@code PATH}, as an absolute path
 * @param argv        what to exec (a shell and {@code -c} for command strings)
 * @param cwd         working directory
 * @param env         the complete environment of the child
 * @param display     the command as the client wrote it, for logs
 * @param timeout     wall-clock deadline, or {@code null} for none
 * @param idleTimeout     idle timeout, or {@code null} for none
 * @param taskKey         the task kind the run is recorded under, or {@code null} before classification
 * @param timeoutSource   where {@code timeout} came from: explicit, history, similar, default or none
 *                        ({@code null} before classification)
 * @param expectedSeconds typical duration of this kind of task, or {@code null} when unknown
 * @param stdin           a pipe as stdin ({@code /dev/null} when {@code false})
 * @param fromCommand     whether the client sent a command string ({@code display}) rather than argv
 */
public record LaunchPlan(Path program, List<String> argv, Path cwd, Map<String, String> env, String display,
                         Duration timeout, Duration idleTimeout, TaskKey taskKey, String timeoutSource,
                         Double expectedSeconds, boolean stdin, boolean fromCommand) {

    /**
     * {@code claude} when the program is Claude Code (by name, or classified so), else {@code command}: the one
     * label the metrics split executions by.
     */
    public String kind() {
        boolean claude = (taskKey != null && taskKey.category().equals("claude"))
                || program.getFileName().toString().equals("claude");
        return claude ? "claude" : "command";
    }

    /** This plan, classified, keeping the timeout the request gave (or none). */
    public LaunchPlan classified(TaskKey key) {
        return new LaunchPlan(program, argv, cwd, env, display, timeout, idleTimeout, key,
                timeout != null ? "explicit" : "none", null, stdin, fromCommand);
    }

    /** This plan, classified, with the predicted timeout. */
    public LaunchPlan predicted(Estimate e) {
        return new LaunchPlan(program, argv, cwd, env, display, Durations.ofSeconds(e.timeoutSeconds()), idleTimeout,
                e.key(), e.source(), e.expectedSeconds(), stdin, fromCommand);
    }
}
