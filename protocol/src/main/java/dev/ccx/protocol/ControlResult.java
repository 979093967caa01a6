// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Result of {@code control}.
 *
 * @param status      {@code paused}, {@code resumed} or {@code canceled} (American spelling, as the original)
 * @param executionId the execution acted on
 */
public record ControlResult(String status, String executionId) {
}
