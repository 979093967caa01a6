// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.util.concurrent.ScheduledExecutorService;

/**
 * What every execution shares: the timer thread and the settings that shape supervision.
 *
 * @param timer        one platform thread running deadlines, idle checks and SIGKILL escalations (all quick)
 * @param graceNanos   time between SIGTERM and SIGKILL, and how long output may keep flowing after the leader exits
 * @param maxLineBytes longest line delivered whole
 */
record Supervision(ScheduledExecutorService timer, long graceNanos, int maxLineBytes) {
}
