// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of {@code control}.
 *
 * @param type        what to do
 * @param executionId which execution; may be omitted when the session has exactly one running
 */
public record ControlParams(ControlType type, String executionId) {
}
