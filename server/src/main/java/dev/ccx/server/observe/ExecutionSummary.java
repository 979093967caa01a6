// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.observe;

import dev.ccx.protocol.EndReason;
import java.util.List;

/**
 * One ended execution, as the metrics and the audit log see it.
 *
 * @param id              execution id
 * @param sessionId       the connection that started it
 * @param principal       its credentials ({@code anonymous} or a token's fingerprint)
 * @param remote          the address that connection came from
 * @param kind            {@code claude} (Claude Code) or {@code command}
 * @param command         the command string as sent, or {@code null} when argv was sent
 * @param argv            the argv as sent, or {@code null} when a command string was sent
 * @param cwd             working directory
 * @param pid             the leader's pid (and pgid)
 * @param reason          how it ended
 * @param exitCode        exit code, or -1 (killed by a signal, or never reported)
 * @param durationSeconds from spawn to the end
 * @param stdoutBytes     bytes read from stdout
 * @param stderrBytes     bytes read from stderr
 * @param startedAtMillis epoch milliseconds of the spawn
 * @param endedAtMillis   epoch milliseconds of the end
 */
public record ExecutionSummary(String id, String sessionId, String principal, String remote, String kind,
                               String command, List<String> argv, String cwd, long pid, EndReason reason, int exitCode,
                               double durationSeconds, long stdoutBytes, long stderrBytes, long startedAtMillis,
                               long endedAtMillis) {
}
