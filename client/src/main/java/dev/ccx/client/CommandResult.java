// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.EndReason;
import java.time.Duration;

/**
 * How an execution ended, and what it wrote. An ending other than a clean exit (timeout, cancel, non-zero exit)
 * is data here, never an exception.
 *
 * @param executionId    the server's id of the execution
 * @param pid            its process id (also its process group id)
 * @param status         {@code completed} when it exited on its own with code 0, else {@code failed}
 * @param exitCode       its exit code (128+N when killed by signal N), or {@code null} when the server sent none
 * @param reason         why it ended; the reliable signal, since exit codes of 128+N are ambiguous
 * @param duration       from spawn to the end of its output, as measured by the server
 * @param stdout         everything written to stdout (newlines kept), cut when {@code outputCut}
 * @param stderr         everything written to stderr (newlines kept), cut when {@code outputCut}
 * @param outputCut      whether output beyond {@link ClientOptions#maxBufferedOutput()} was left out of
 *                       {@code stdout}/{@code stderr}
 * @param timeoutUsed    the wall-clock deadline the server enforced, or {@code null} for none
 * @param timeoutSource  where that deadline came from: {@code explicit}, {@code history}, {@code similar},
 *                       {@code default} or {@code none} ({@code null} if the server did not say)
 * @param clientTimedOut whether {@link RunningCommand#await(Duration)} gave up waiting and canceled the execution;
 *                       {@code reason} is then {@link EndReason#CANCELED} unless it ended on its own meanwhile
 * @param error          the server's sentence for an ending other than {@code exit}, else {@code null}
 */
public record CommandResult(String executionId, long pid, String status, Integer exitCode, EndReason reason,
                            Duration duration, String stdout, String stderr, boolean outputCut, Duration timeoutUsed,
                            String timeoutSource, boolean clientTimedOut, String error) {

    /** Whether the process exited on its own with code 0. */
    public boolean succeeded() {
        return reason == EndReason.EXIT && exitCode != null && exitCode == 0;
    }

    /** Whether a deadline ended it: the server's {@code timeout} or {@code idle_timeout}, or the client's await. */
    public boolean timedOut() {
        return clientTimedOut || reason == EndReason.TIMEOUT || reason == EndReason.IDLE_TIMEOUT;
    }
}
