// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;

/**
 * The result of {@code history}: the recorded runs of one task key, newest first.
 *
 * @param category the task key's category
 * @param name     the task key's name
 * @param runs     the runs
 */
public record HistoryResult(String category, String name, List<TaskRun> runs) {
}
