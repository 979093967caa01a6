// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Result of {@code stdin}: the bytes are in the pipe (not necessarily read by the process yet).
 *
 * @param executionId the execution
 * @param written     bytes written by this request
 * @param eof         whether the pipe is now closed
 */
public record StdinResult(String executionId, long written, boolean eof) {
}
