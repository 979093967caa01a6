// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Result of {@code executions}: running ones first (oldest first), then ended ones still retained (newest first).
 *
 * @param executions what this client's credentials may see
 */
public record ExecutionList(List<ExecutionInfo> executions) {

    /**
     * One execution.
     *
     * @param executionId  its id
     * @param command      the command line or argv joined by spaces, shortened to 200 characters
     * @param status       {@code running} or {@code completed}
     * @param pid          process id (and group id)
     * @param onDisconnect {@code kill} or {@code keep}
     * @param stdin        whether its stdin pipe is open
     * @param startedAt    start, Unix seconds
     * @param endedAt      end, Unix seconds, or {@code null} while running
     * @param reason       how it ended, or {@code null} while running
     * @param exitCode     the exit code, or {@code null} while running (-1 when it has none)
     * @param lastSeq      the {@code seq} of its newest notification
     * @param oldestSeq    the oldest {@code seq} its log still holds
     * @param followers    connections following it now
     * @param paused       whether it is paused (PAUSE, no RESUME yet)
     */
    public record ExecutionInfo(String executionId, String command, String status, long pid, OnDisconnect onDisconnect,
                                boolean stdin, double startedAt, Double endedAt, EndReason reason, Integer exitCode,
                                long lastSeq, long oldestSeq, int followers, boolean paused,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String node) {
        /** An execution of a single server. */
        public ExecutionInfo(String executionId, String command, String status, long pid, OnDisconnect onDisconnect,
                             boolean stdin, double startedAt, Double endedAt, EndReason reason, Integer exitCode,
                             long lastSeq, long oldestSeq, int followers, boolean paused) {
            this(executionId, command, status, pid, onDisconnect, stdin, startedAt, endedAt, reason, exitCode, lastSeq,
                    oldestSeq, followers, paused, null);
        }

        /** The same entry, naming the cluster node that runs it. */
        public ExecutionInfo withNode(String runsOn) {
            return new ExecutionInfo(executionId, command, status, pid, onDisconnect, stdin, startedAt, endedAt, reason,
                    exitCode, lastSeq, oldestSeq, followers, paused, runsOn);
        }
    }
}
