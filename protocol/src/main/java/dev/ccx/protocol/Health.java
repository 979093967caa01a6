// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
/**
 * The document {@code GET /health} answers with.
 *
 * @param status           always {@code healthy} while the server answers
 * @param service          {@code ccx}
 * @param version          server version
 * @param activeSessions   open connections
 * @param maxSessions      connection limit
 * @param runningProcesses executions running
 * @param maxProcesses     execution limit
 * @param uptimeSeconds    seconds since start
 * @param timingStore      {@code redis} or {@code embedded}: the store answering now
 * @param timingDegraded   whether Redis is configured but failing, so the embedded store answers
 * @param spawner          how processes are started: {@code native} ({@code posix_spawn} through FFM, with pidfd
 *                         and epoll) or {@code jdk} ({@code ProcessBuilder} and {@code setsid}); {@code null} from
 *                         servers older than the field
 * @param cluster          the cluster this node is part of ({@code --cluster}), absent otherwise
 */
public record Health(String status, String service, String version, int activeSessions, int maxSessions,
                     int runningProcesses, int maxProcesses, double uptimeSeconds, String timingStore,
                     boolean timingDegraded, String spawner,
                     @JsonInclude(JsonInclude.Include.NON_NULL) ClusterHealth cluster) {
    /** A server that is not part of a cluster. */
    public Health(String status, String service, String version, int activeSessions, int maxSessions,
                  int runningProcesses, int maxProcesses, double uptimeSeconds, String timingStore,
                  boolean timingDegraded, String spawner) {
        this(status, service, version, activeSessions, maxSessions, runningProcesses, maxProcesses, uptimeSeconds,
                timingStore, timingDegraded, spawner, null);
    }
}
