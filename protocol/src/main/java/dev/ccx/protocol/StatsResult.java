// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;

/**
 * The result of {@code stats}: statistics per task key, most recently run first.
 *
 * @param store    {@code redis} or {@code embedded}: the store that answered
 * @param degraded whether Redis is configured but failing, so the embedded store answered
 * @param tasks    one entry per task key
 */
public record StatsResult(String store, boolean degraded, List<TaskStats> tasks) {
}
