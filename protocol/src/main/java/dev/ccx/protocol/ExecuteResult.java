// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Result of {@code execute}: the process is running. Sent before any notification about it.
 *
 * @param status      always {@code "started"}
 * @param pid         the process id of the command (the shell, for a command string)
 * @param pgid        its process group, equal to {@code pid} because every command runs under {@code setsid}
 * @param executionId the id that addresses this execution in {@code control} and in every notification
 */
public record ExecuteResult(String status, long pid, long pgid, String executionId) {
}
