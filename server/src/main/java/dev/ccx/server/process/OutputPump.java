// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drains one pipe of a child process from its first byte to end of file on a dedicated platform thread, and feeds
 * a {@link LineSplitter}. Platform, not virtual: a blocking read on a pipe occupies a virtual thread's carrier
 * (file I/O is not asynchronous in the JDK), and with hundreds of children the carrier pool runs out (measured,
 * see STYLE.md).
 *
 * <p>The pump never stops reading while the pipe is open, so the child can never block on a full pipe because of
 * ccx; the only way it waits is when the sink itself blocks (the client is slower than the process, see
 * {@code docs/protocol.md}, backpressure).
 */
public final class OutputPump {
    private final InputStream in;
    private final LineSplitter splitter;
    private final Runnable onRead;
    private final Runnable onDrained;
    private final Consumer<IOException> onError;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;

    /**
     * @param name     thread name, e.g. {@code exec-ID-stdout}
     * @param in       the pipe
     * @param splitter where the bytes go
     * @param onRead    called after every read that returned data (used for the idle clock)
     * @param onDrained called after the lines of a read have been delivered and no more bytes are waiting in the
     *                  pipe, and at end of file: the moment to flush whatever was batched
     * @param onError   called once if reading fails; the pump then ends as if at end of file
     */
    public OutputPump(String name, InputStream in, LineSplitter splitter, Runnable onRead, Runnable onDrained,
                      Consumer<IOException> onError) {
        this.in = in;
        this.splitter = splitter;
        this.onRead = onRead;
        this.onDrained = onDrained;
        this.onError = onError;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    /** Starts draining. */
    public void start() {
        thread.start();
    }

    /** Waits at most {@code timeoutMillis} for end of file; returns whether the pump has finished. */
    public boolean await(long timeoutMillis) throws InterruptedException {
        return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void run() {
        byte[] buffer = new byte[65_536];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    onRead.run();
                    splitter.feed(buffer, 0, n);
                    // Flush only when the pipe is empty: during a flood the lines of many reads share one write,
                    // and a line printed alone is still sent at once.
                    if (in.available() == 0) {
                        onDrained.run();
                    }
                }
            }
        } catch (IOException e) {
            onError.accept(e);
        } finally {
            try {
                splitter.finish();
                onDrained.run();
            } finally {
                done.countDown();
            }
        }
    }
}
