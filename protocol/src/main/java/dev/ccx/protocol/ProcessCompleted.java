// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of {@code process.completed}, sent exactly once per execution after all its output.
 *
 * @param status        {@code completed} when the process exited on its own with code 0, else {@code failed}
 * @param pid           process id
 * @param pgid          process group id
 * @param exitCode      the exit code; a process killed by signal N reports 128+N (143 for SIGTERM, 137 for SIGKILL)
 * @param error         a human-readable reason when it did not exit on its own, else {@code null}
 * @param executionTime seconds from spawn to the end of the output
 * @param executionId   the execution
 * @param seq           per-execution sequence number (the last one)
 * @param reason        why it ended
 * @param stdoutLines   lines delivered on stdout (a split or chunked line counts once)
 * @param stderrLines   lines delivered on stderr
 */
public record ProcessCompleted(String status, long pid, long pgid, Integer exitCode, String error,
                               double executionTime, String executionId, long seq, EndReason reason,
                               long stdoutLines, long stderrLines) {
}
