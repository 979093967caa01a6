// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of {@code process.error}: supervision of an execution hit a problem. {@code process.completed} follows.
 *
 * @param error       what went wrong
 * @param executionId the execution
 * @param seq         per-execution sequence number
 */
public record ProcessError(String error, String executionId, long seq) {
}
