// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Result of {@code attach}, sent before the first replayed notification.
 *
 * @param executionId the execution followed
 * @param status      {@code running} or {@code completed}
 * @param nextSeq     the {@code seq} the next notification appended will get: the replay ends at {@code nextSeq - 1}
 *                    for a completed execution
 * @param oldestSeq   the oldest {@code seq} the log still holds
 * @param stdin       whether the execution's stdin pipe is open for {@code stdin} requests
 * @param pid         the process id (and group id)
 * @param command     the command line, or argv joined by spaces, shortened to 200 characters
 */
public record AttachResult(String executionId, String status, long nextSeq, long oldestSeq, boolean stdin, long pid,
                           String command) {
}
