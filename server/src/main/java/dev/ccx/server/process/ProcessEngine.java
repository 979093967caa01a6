// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

/**
 * Starts processes, each as the leader of a new session and process group (pid == pgid == sid), with stdin from
 * {@code /dev/null} or a pipe and both outputs on pipes, and reports what they do to a {@link ProcessListener}.
 * Two implementations: {@code native} ({@code posix_spawn} through FFM, pidfd and epoll; see
 * {@link dev.ccx.server.process.linux.NativeEngine}) and {@code jdk} ({@code ProcessBuilder} + {@code setsid};
 * {@link dev.ccx.server.process.jdk.JdkEngine}). {@link Engines} chooses.
 */
public interface ProcessEngine extends AutoCloseable {

    /** {@code native} or {@code jdk}, as {@code /health} reports it. */
    String name();

    /**
     * Starts a process. {@link ProcessListener#started} is called on this thread before this method returns and
     * before any other event.
     *
     * @throws SpawnException when the process could not be started, or could not be supervised (it has then been
     *                        killed and reaped)
     */
    RunningProcess spawn(SpawnRequest request, ProcessListener listener) throws SpawnException;

    /** Stops the engine's threads. Processes still running are not killed here: their owners do that first. */
    @Override
    void close();
}
