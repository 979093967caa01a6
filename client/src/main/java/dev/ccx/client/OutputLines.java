// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The blocking way to read an execution's output: pass an instance to
 * {@link CcxClient#execute(Command, OutputListener)}, then iterate it on any one thread.
 * <pre>{@code
 * OutputLines lines = new OutputLines(Duration.ofSeconds(30));
 * RunningCommand rc = client.execute(Command.shell("make"), lines);
 * for (OutputLine line : lines) { ... }
 * CommandResult result = rc.await(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>The iteration ends after the last line, when the execution ended or its handle failed; ask the handle how it
 * ended. {@link Iterator#hasNext()} blocks until a line or the end arrives, at most {@code idleBound} at a time,
 * then throws {@link CcxTimeoutException} (the execution keeps running; cancel it if you give up). Lines wait in
 * memory until they are taken. One iteration per instance; not for concurrent readers.
 */
public final class OutputLines implements OutputListener, Iterable<OutputLine> {
    private static final OutputLine END = new OutputLine(Stream.STDOUT, null);
    private final LinkedBlockingQueue<OutputLine> queue = new LinkedBlockingQueue<>();
    private final Duration idleBound;
    private boolean iterated;

    /** Lines whose {@link Iterator#hasNext()} waits at most {@code idleBound} for the next line. */
    public OutputLines(Duration idleBound) {
        if (idleBound.isNegative() || idleBound.isZero()) {
            throw new IllegalArgumentException("idleBound must be positive, got " + idleBound);
        }
        this.idleBound = idleBound;
    }

    @Override
    public void line(Stream stream, String line) {
        queue.add(new OutputLine(stream, line));
    }

    @Override
    public void end() {
        queue.add(END);
    }

    @Override
    public synchronized Iterator<OutputLine> iterator() {
        if (iterated) {
            throw new IllegalStateException("OutputLines can be iterated once");
        }
        iterated = true;
        return new Iterator<>() {
            private OutputLine next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (done) {
                    return false;
                }
                if (next == null) {
                    try {
                        next = queue.poll(idleBound.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CcxException("interrupted while waiting for output", e);
                    }
                    if (next == null) {
                        throw new CcxTimeoutException("no output line within " + idleBound);
                    }
                }
                if (next == END) {
                    done = true;
                    return false;
                }
                return true;
            }

            @Override
            public OutputLine next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                OutputLine l = next;
                next = null;
                return l;
            }
        };
    }
}
