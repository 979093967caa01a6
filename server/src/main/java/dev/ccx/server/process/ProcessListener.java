// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.io.IOException;

/**
 * What an engine reports about one process. The javadoc of NuProcess's {@code NuProcessHandler} is the model.
 *
 * <p><b>Threads.</b> {@link #started} runs on the thread that called {@link ProcessEngine#spawn}, before any other
 * call. The others run on the engine's threads (the native engine's poller serves every process of the server), so
 * they must return quickly and never block: no waiting for a client, a lock held by a waiting thread, a disk or a
 * network. Calls for one stream are never concurrent; calls for different streams and for the exit may be.
 *
 * <p><b>Order.</b> For each stream: {@link #output} zero or more times, then {@link #closed} exactly once.
 * {@link #exited} comes exactly once, independent of the streams: a grandchild holding a pipe open does not delay
 * it. The process has been reaped when it comes.
 *
 * <p><b>Buffers.</b> The bytes passed to {@link #output} belong to the engine and are valid only during the call.
 *
 * <p><b>Exceptions</b> thrown by a method are logged and treated as a failure of the stream.
 */
public interface ProcessListener {

    /** The process exists; {@code process} is its handle. Nothing else has been reported yet. */
    void started(RunningProcess process);

    /**
     * Bytes the process wrote.
     *
     * @return {@code true} to go on reading; {@code false} to stop reading this stream (the process is then held
     *         back by its own pipe) until {@link RunningProcess#resume} is called for it
     */
    boolean output(StdStream stream, byte[] bytes, int offset, int length);

    /** The stream reached end of file ({@code failure == null}), could not be read, or was closed on request. */
    void closed(StdStream stream, IOException failure);

    /** The process exited, with its exit code (128 + N when signal N killed it). */
    void exited(int exitCode);
}
