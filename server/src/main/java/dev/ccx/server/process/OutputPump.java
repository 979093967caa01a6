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
    private final Consumer<IOException> onError;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;

    /**
     * @param name     thread name, e.g. {@code exec-ID-stdout}
     * @param in       the pipe
     * @param splitter where the bytes go
     * @param onRead   called after every read that returned data (used for the idle clock)
     * @param onError  called once if reading fails; the pump then ends as if at end of file
     */
    public OutputPump(String name, InputStream in, LineSplitter splitter, Runnable onRead,
                      Consumer<IOException> onError) {
        this.in = in;
        this.splitter = splitter;
        this.onRead = onRead;
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
                }
            }
        } catch (IOException e) {
            onError.accept(e);
        } finally {
            try {
                splitter.finish();
            } finally {
                done.countDown();
            }
        }
    }
}
