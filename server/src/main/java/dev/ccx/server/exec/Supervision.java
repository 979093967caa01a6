// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.process.GroupLedger;
import dev.ccx.server.process.ProcessEngine;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every execution shares.
 *
 * @param timer        one platform thread for deadlines, idle checks, SIGKILL escalations and the wait for a
 *                     group to be gone; its tasks only flip state and send signals, they never wait
 * @param graceNanos   time between SIGTERM and SIGKILL, and how long output may keep flowing after the leader exits
 * @param maxLineBytes longest line delivered whole
 * @param engine       starts the processes
 * @param ledger       the on-disk record of running groups
 * @param observer     told about spawns, output, signals and ends
 */
record Supervision(ScheduledExecutorService timer, long graceNanos, int maxLineBytes, ProcessEngine engine,
                   GroupLedger ledger, ServerObserver observer) {

    /**
     * Signals {@code group}, and counts the signal when it reached somebody.
     *
     * @return {@code false} when the group has no member left
     * @throws IllegalStateException for any other failure, such as EPERM
     */
    boolean signal(ProcessGroup group, Signal signal) {
        boolean sent = group.signal(signal);
        if (sent) {
            observer.signalSent(signal);
        }
        return sent;
    }
}
