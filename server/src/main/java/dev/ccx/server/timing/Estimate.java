// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

/**
 * A predicted timeout for a task.
 *
 * @param key             the task kind it was computed for
 * @param timeoutSeconds  the deadline to use
 * @param source          {@code explicit}, {@code history} (this key's own runs), {@code similar} (other keys of its
 *                        category) or {@code default} (configured defaults)
 * @param expectedSeconds the typical duration (median of the runs used), or {@code null} when there is no history
 * @param samples         how many runs the estimate rests on
 * @param loadFactor      the load scaling applied (1.0 when the machine is not busier than its core count)
 */
public record Estimate(TaskKey key, double timeoutSeconds, String source, Double expectedSeconds, int samples,
                       double loadFactor) {
}
