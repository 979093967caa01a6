// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An {@link OutputListener} that records lines per stream and counts them down for tests. */
final class Lines implements OutputListener {
    final List<String> stdout = new ArrayList<>();
    final List<String> stderr = new ArrayList<>();
    final List<String> both = new ArrayList<>();
    private final CountDownLatch first = new CountDownLatch(1);
    private volatile Thread lastThread;

    @Override
    public synchronized void line(Stream stream, String line) {
        (stream == Stream.STDOUT ? stdout : stderr).add(line);
        both.add(stream + ":" + (line.length() > 100 ? line.length() + " chars" : line));
        lastThread = Thread.currentThread();
        first.countDown();
    }

    /** Waits (bounded) for the first line. */
    void awaitFirst() throws InterruptedException {
        if (!first.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no output line within 10 s");
        }
    }

    Thread lastThread() {
        return lastThread;
    }

    synchronized List<String> stdout() {
        return List.copyOf(stdout);
    }

    synchronized List<String> stderr() {
        return List.copyOf(stderr);
    }
}
