// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Result of {@code detach}: nothing more of the execution is sent to this connection after this response.
 *
 * @param executionId the execution no longer followed
 * @param status      always {@code detached}
 * @param lastSeq     the {@code seq} of the last notification of the execution sent to this connection (0 if none):
 *                    attach later with {@code from_seq: lastSeq} to go on exactly there
 */
public record DetachResult(String executionId, String status, long lastSeq) {
}
