// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import dev.ccx.protocol.EndReason;

/**
 * One finished execution, as kept in the history.
 *
 * @param key             the task kind
 * @param timestampMillis when it ended, epoch milliseconds
 * @param durationSeconds how long it ran
 * @param exitCode        its exit code
 * @param reason          how it ended
 * @param timeoutSeconds  the deadline it ran under, or {@code null} for none
 * @param load1           the one-minute load average when it ended
 * @param cores           the number of cores the server saw
 */
public record RunRecord(TaskKey key, long timestampMillis, double durationSeconds, int exitCode, EndReason reason,
                        Double timeoutSeconds, double load1, int cores) {

    /** Whether the run ended on its own (exit), so its duration says how long the task takes. */
    public boolean endedOnItsOwn() {
        return reason == EndReason.EXIT;
    }

    /** Whether it ended on its own with exit code 0. */
    public boolean succeeded() {
        return endedOnItsOwn() && exitCode == 0;
    }
}
