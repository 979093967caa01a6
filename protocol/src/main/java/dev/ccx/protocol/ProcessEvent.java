// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of {@code process.started}, {@code process.paused}, {@code process.resumed} and {@code process.canceled}.
 * The first five fields are the original's; {@code exit_code} and {@code error} are always {@code null} here.
 *
 * @param status      {@code started}, {@code paused}, {@code resumed} or {@code canceled}
 * @param pid         process id
 * @param pgid        process group id
 * @param exitCode    always {@code null} (kept for the original's clients)
 * @param error       always {@code null} (kept for the original's clients)
 * @param executionId the execution
 * @param seq         per-execution sequence number, 1 for {@code process.started}, +1 for every later notification
 * @param timeout     the wall-clock deadline in force, seconds, or {@code null} for none ({@code process.started})
 * @param idleTimeout the idle timeout in force, seconds, or {@code null} for none ({@code process.started})
 */
public record ProcessEvent(String status, long pid, long pgid, Integer exitCode, String error, String executionId,
                           long seq, Double timeout, Double idleTimeout) {
}
