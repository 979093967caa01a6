// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.jdk;

import dev.ccx.server.process.ProcessListener;
import dev.ccx.server.process.RunningProcess;
import dev.ccx.server.process.StdStream;
import dev.ccx.server.process.StdinWrite;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A process of the {@link JdkEngine}: one platform thread drains each pipe (a blocking read on a virtual thread
 * would hold its carrier), the JDK's own reaper reports the exit. A pump told to stop reading waits on its
 * stream's semaphore until {@link #resume}; it holds no lock while it waits.
 */
final class JdkProcess implements RunningProcess {
    private final Process process;
    private final ProcessListener listener;
    private final ThreadFactory threads;
    private final Semaphore[] resumed = {new Semaphore(0), new Semaphore(0)};
    private final AtomicBoolean[] reported = {new AtomicBoolean(), new AtomicBoolean()};
    private volatile boolean closingOutput;
    private ExecutorService stdinWriter;

    JdkProcess(Process process, ProcessListener listener, ThreadFactory threads) {
        this.process = process;
        this.listener = listener;
        this.threads = threads;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    void start() {
        pump(StdStream.STDOUT, process.getInputStream());
        pump(StdStream.STDERR, process.getErrorStream());
        process.onExit().whenComplete((p, failure) -> {
            stopStdinWriter();
            listener.exited(process.exitValue());
        });
    }

    private void pump(StdStream stream, InputStream in) {
        try {
            Thread t = threads.newThread(() -> drain(stream, in));
            if (t == null) {
                throw new IllegalStateException("the thread factory made no thread");
            }
            t.start();
        } catch (OutOfMemoryError | RuntimeException e) {
            closeQuietly(in);
            closed(stream, new IOException("cannot start a thread to read " + stream.wire() + ": " + e, e));
        }
    }

    private void drain(StdStream stream, InputStream in) {
        byte[] buffer = new byte[65_536];
        IOException failure = null;
        try (in) {
            int n;
            while (!closingOutput && (n = in.read(buffer)) >= 0) {
                if (n > 0 && !listener.output(stream, buffer, 0, n)) {
                    resumed[stream.ordinal()].acquireUninterruptibly();
                }
            }
        } catch (IOException e) {
            failure = closingOutput ? null : e;
        } finally {
            closed(stream, failure);
        }
    }

    private void closed(StdStream stream, IOException failure) {
        if (reported[stream.ordinal()].compareAndSet(false, true)) {
            listener.closed(stream, failure);
        }
    }

    @Override
    public void resume(StdStream stream) {
        resumed[stream.ordinal()].release();
    }

    /**
     * Reports both streams closed at once. A pump blocked in {@code read} cannot be woken on Linux (closing the
     * descriptor does not interrupt the read), so it stays until the escaped writer goes; it reports nothing more.
     */
    @Override
    public void closeOutput() {
        closingOutput = true;
        for (StdStream s : StdStream.values()) {
            resumed[s.ordinal()].release();
            closed(s, null);
        }
        closeQuietly(process.getInputStream());
        closeQuietly(process.getErrorStream());
    }

    @Override
    public StdinWrite writeStdin(byte[] bytes) {
        StdinWrite write = new StdinWrite(bytes);
        try {
            stdinWriter().execute(() -> {
                try {
                    OutputStream out = process.getOutputStream();
                    // In pieces, so a withdrawn write stops at the next one (a blocked write cannot be taken back).
                    for (int at = 0; at < bytes.length; at += STDIN_PIECE) {
                        if (write.isWithdrawn()) {
                            throw new IOException("withdrawn");
                        }
                        int n = Math.min(STDIN_PIECE, bytes.length - at);
                        out.write(bytes, at, n);
                        out.flush();
                        write.wrote(n);
                    }
                    write.done().complete(null);
                } catch (IOException e) {
                    write.done().completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            write.done().completeExceptionally(new IOException("the process has exited"));
        }
        return write;
    }

    @Override
    public void closeStdin() {
        CompletableFuture.runAsync(() -> closeQuietly(process.getOutputStream()), stdinWriter());
    }

    private synchronized ExecutorService stdinWriter() {
        if (stdinWriter == null) {
            stdinWriter = Executors.newSingleThreadExecutor(threads);
        }
        return stdinWriter;
    }

    /** Lets queued writes finish (they fail fast once the process is gone), then ends the writer thread. */
    private synchronized void stopStdinWriter() {
        if (stdinWriter != null) {
            stdinWriter.shutdown();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing a pipe: nothing to do about a failure
        }
    }
}
