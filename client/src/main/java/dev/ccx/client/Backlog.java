// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listener calls queued and not yet run, for all executions of a client: the socket is read only while there are
 * fewer than {@code high} of them, and again once they are down to {@code low}. So a slow listener slows the
 * reading (and, through TCP, the server's sending), and the client's memory stays bounded.
 */
final class Backlog {
    private final int high;
    private final int low;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private volatile Runnable resume;

    Backlog(int high) {
        this.high = high;
        this.low = high / 2;
    }

    void added() {
        queued.incrementAndGet();
    }

    void done() {
        if (queued.decrementAndGet() <= low && stalled.compareAndSet(true, false)) {
            resume.run();
        }
    }

    /**
     * After a message: {@code true} to read the next one now; otherwise {@code resume} runs once the listeners have
     * caught up.
     */
    boolean proceed(Runnable resume) {
        if (queued.get() < high) {
            return true;
        }
        this.resume = resume;
        stalled.set(true);
        // The listeners may have caught up between the check and the flag, and seen no flag.
        return queued.get() <= low && stalled.compareAndSet(true, false);
    }
}
