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
 * @param timeoutSource    where {@code timeout} came from: {@code explicit}, {@code history}, {@code similar},
 *                         {@code default}, or {@code none} ({@code process.started} only)
 * @param expectedDuration the typical duration of this kind of task in seconds, when history knows it, so a client
 *                         can show an ETA ({@code process.started} only)
 * @param taskKey          the task key, {@code category:name}, under which this run is recorded
 *                         ({@code process.started} only)
 */
public record ProcessEvent(String status, long pid, long pgid, Integer exitCode, String error, String executionId,
                           long seq, Double timeout, Double idleTimeout, String timeoutSource,
                           Double expectedDuration, String taskKey) {

    /** The params of {@code process.paused}, {@code process.resumed} and {@code process.canceled}. */
    public static ProcessEvent control(String status, long pid, String executionId, long seq) {
        return new ProcessEvent(status, pid, pid, null, null, executionId, seq, null, null, null, null, null);
    }
}
