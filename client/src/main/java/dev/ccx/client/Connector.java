// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.EndReason;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The connections of a {@link Batch} or {@link TaskList}: opens them, opens a new one when one breaks (so a server
 * restart costs the task that was running, not the rest), and closes them all at the end.
 *
 * <p>The first connection fails fast: a server that is not there is reported at once. A replacement is retried
 * with back-off (100 ms doubling to 1 s) for up to {@link ClientOptions#connectTimeout()}, long enough for a server
 * to restart; if the server stays away that long, later tasks fail at once instead of each waiting again. A
 * connection whose server reported it is shutting down is not used for another task.
 *
 * <p>Thread-safe: slots of a batch share one connector. {@link #close()} refuses later opens, so a worker cannot
 * leave a connection behind after the batch has ended.
 */
final class Connector implements AutoCloseable {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final URI uri;
    private final ClientOptions options;
    private final List<CcxClient> clients = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once a replacement could not be opened within the window: later tasks fail at once, not after another. */
    private final AtomicReference<ConnectFailedException> gone = new AtomicReference<>();

    Connector(URI uri, ClientOptions options) {
        this.uri = uri;
        this.options = options;
    }

    /** Opens a connection, failing at once if the server does not answer. */
    CcxClient open() {
        if (closed.get()) {
            throw new ClientClosedException("the batch or list has ended; no new connection to " + uri);
        }
        CcxClient c = CcxClient.connect(uri, options);
        clients.add(c);
        if (closed.get()) {
            c.close(); // closed meanwhile: close() may have missed it
            throw new ClientClosedException("the batch or list has ended; no new connection to " + uri);
        }
        return c;
    }

    /** {@code current} if it is open, else a new connection, retried within the connect timeout. */
    CcxClient usable(CcxClient current) {
        if (current != null && current.isOpen()) {
            return current;
        }
        ConnectFailedException down = gone.get();
        if (down != null) {
            throw down;
        }
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                return open();
            } catch (ConnectFailedException e) {
                if (System.nanoTime() + backoff.toNanos() > deadline) {
                    gone.compareAndSet(null, new ConnectFailedException("the server at " + uri + " stayed "
                            + "unreachable for " + options.connectTimeout() + ": " + e.getMessage(), e.httpStatus(), e));
                    throw gone.get();
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CcxException("interrupted while reconnecting to " + uri, e);
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /**
     * Runs {@code task} on {@code client}, or on a new connection if that one has broken. Returns the result and
     * the connection to use next. A task is never run twice: one whose start was lost with its connection ends as
     * {@link TaskStatus#ERROR}, since the server may have started it.
     */
    Outcome run(CcxClient client, Task task, int index, Duration timeout, TaskListener listener) {
        CcxClient c;
        try {
            c = usable(client);
        } catch (CcxException e) {
            return new Outcome(TaskResult.error(index, task, e), client);
        }
        TaskResult r = task.run(c, index, timeout, listener);
        if (r.result() != null && r.result().reason() == EndReason.SHUTDOWN) {
            // The server is going away; its close frame may still be in flight. Do not start the next task there.
            c.close();
        }
        return new Outcome(r, c);
    }

    /** A task's result and the connection it leaves for the next task. */
    record Outcome(TaskResult result, CcxClient client) {
    }

    /**
     * Closes every connection opened, all at once (each may wait {@link ClientOptions#closeTimeout()} for its
     * canceled executions, and those waits overlap); later opens fail. Idempotent; keeps the interrupt flag.
     */
    @Override
    public void close() {
        closed.set(true);
        List<Thread> closers = clients.stream().map(c -> Thread.ofVirtual().name("ccx-close").start(c::close))
                .toList();
        // CcxClient.close is bounded by closeTimeout plus a few seconds of socket shutdown.
        long deadline = System.nanoTime() + options.closeTimeout().plusSeconds(5).toNanos();
        boolean interrupted = false;
        for (Thread t : closers) {
            while (t.isAlive() && System.nanoTime() < deadline) {
                try {
                    t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
