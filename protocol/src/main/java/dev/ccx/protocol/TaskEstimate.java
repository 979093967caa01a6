// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Result of {@code estimate}: what timeout an {@code execute} of this command without {@code timeout} would get.
 *
 * @param category         the task key's category (e.g. {@code claude}, {@code cmd})
 * @param name             the task key's name within it
 * @param timeout          the predicted deadline in seconds
 * @param source           {@code history}, {@code similar} or {@code default}
 * @param expectedDuration the typical duration in seconds, {@code null} without history
 * @param samples          how many past runs the estimate rests on
 * @param loadFactor       the scaling applied for the machine's load (1.0 when not overloaded)
 */
public record TaskEstimate(String category, String name, double timeout, String source, Double expectedDuration,
                           int samples, double loadFactor) {
}
