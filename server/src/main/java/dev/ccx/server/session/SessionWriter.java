// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.ExecutionLog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread (virtual) that writes to a connection, and the only thing in the server that ever waits for a
 * client. It takes, in rounds: the connection's own messages (responses, errors, heartbeats), then up to a fair
 * share of frames from the cursor of every execution the connection follows; and it batches them into socket
 * writes.
 *
 * <p><b>Flow control.</b> At most {@code outboundBytes} may be written to the transport and not yet taken by the
 * client. When that budget is spent the writer waits for the client, holding nothing anyone else needs: the
 * executions go on appending to their logs, and only when a log is full is a process held back (by its own pipe).
 * If the client takes nothing for {@code sendTimeout}, the writer gives up on it: the connection is dropped at once
 * (no close handshake with a peer that reads nothing) and its executions end with reason {@code disconnect}.
 *
 * <p>The session's own messages are bounded too: a client that sends requests without reading the answers makes
 * its own request thread wait, never anyone else's.
 */
final class SessionWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionWriter.class);
    /** Bytes of one execution's frames per round, so one flood cannot starve the others of its connection. */
    private static final int FAIR_SHARE = 256 * 1024;
    private static final int DIRECT_PER_ROUND = 64;

    /** The writer gave up on a client that took nothing for the send timeout. */
    private static final class ClientStuck extends RuntimeException {
        ClientStuck() {
            super(null, null, false, false);
        }
    }

    private final ClientSession session;
    private final Connection connection;
    private final int outboundBytes;
    private final long sendTimeoutNanos;
    private final Semaphore credits;
    private final Semaphore directRoom;
    private final ConcurrentLinkedQueue<byte[]> direct = new ConcurrentLinkedQueue<>();
    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Unfollow> unfollows = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile Close closeAfterDrain;
    private volatile Thread thread;
    private boolean wrote;

    private record Close(int code, String reason) {
    }

    /**
     * Stop sending an execution's frames, and send {@code response} (given the last {@code seq} sent) instead. No
     * {@code cursor}: it had reached the end of {@code log}, so everything was sent.
     */
    private record Unfollow(Cursor cursor, ExecutionLog log, LongFunction<byte[]> response) {
    }

    SessionWriter(ClientSession session, Connection connection, SessionSettings settings) {
        this.session = session;
        this.connection = connection;
        this.outboundBytes = settings.outboundBytes();
        this.sendTimeoutNanos = settings.sendTimeout().toNanos();
        this.credits = new Semaphore(outboundBytes);
        this.directRoom = new Semaphore(outboundBytes);
    }

    void start() {
        thread = Threads.startVirtual("writer-" + session.sessionId(), this::run);
    }

    /** Makes the writer look again (new frames, a released reply, a queued message). Never blocks. */
    void wake() {
        signalled.set(true);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Queues a message of the connection's own. While the queue is full (a client that sends requests without
     * reading the answers), waits on the caller's thread at most {@code waitNanos}; returns {@code false} when the
     * connection is gone or there was no room in time.
     */
    boolean offer(byte[] message, long waitNanos) {
        int cost = cost(message);
        try {
            if (stopping || !directRoom.tryAcquire(cost, waitNanos, TimeUnit.NANOSECONDS) || stopping) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        direct.add(message);
        wake();
        return true;
    }

    /** The send timeout: how long {@link #offer} may wait for a client that reads nothing. */
    long sendTimeoutNanos() {
        return sendTimeoutNanos;
    }

    /** Starts sending the frames of {@code cursor} (an execution the connection follows). */
    void follow(String executionId, Cursor cursor) {
        cursors.put(executionId, cursor);
        wake();
        if (stopping) {
            cursor.close();
        }
    }

    /**
     * Stops sending the frames of {@code executionId} (whose log is {@code log}) and sends {@code response}, built
     * from the {@code seq} of the last frame of it that was sent, in their place: on the writer's thread, so nothing
     * of it follows the response.
     */
    void unfollow(String executionId, ExecutionLog log, LongFunction<byte[]> response) {
        // Out of the map at once, so that a later request (a control) does not place its reply in a cursor that is
        // about to close; the writer may still be reading it, and last_seq counts what that read sent.
        unfollows.add(new Unfollow(cursors.remove(executionId), log, response));
        wake();
    }

    /** The cursor of a followed execution, or {@code null}. */
    Cursor cursor(String executionId) {
        return cursors.get(executionId);
    }

    /** Sends what is available, then closes the connection with {@code code}; see {@link #awaitEnd}. */
    void closeAfterDrain(int code, String reason) {
        closeAfterDrain = new Close(code, reason);
        wake();
    }

    /** Waits until the writer has ended, at most until {@code deadlineNanos}; returns whether it has. */
    boolean awaitEnd(long deadlineNanos) {
        Thread t = thread;
        if (t == null) {
            return true;
        }
        long left = deadlineNanos - System.nanoTime();
        try {
            return left > 0 && t.join(java.time.Duration.ofNanos(left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops writing: the writer ends, waiting request threads are let go, and the cursors are closed. */
    void stop() {
        stopping = true;
        directRoom.release(outboundBytes);
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
        closeCursors();
    }

    private void run() {
        try {
            while (!stopping) {
                signalled.set(false);
                wrote = false;
                boolean more = round();
                if (wrote) {
                    connection.flush();
                }
                Close close = closeAfterDrain;
                if (close != null && !more) {
                    connection.close(close.code(), close.reason());
                    return;
                }
                if (!more && !signalled.get() && !stopping) {
                    LockSupport.park(this);
                }
            }
        } catch (ClientStuck e) {
            session.stuck(TimeUnit.NANOSECONDS.toSeconds(sendTimeoutNanos));
        } catch (RuntimeException | Error e) {
            if (!stopping) {
                // Nothing reaches this client any more: end its session (and its executions) rather than leave
                // them running for a client that will never see their end.
                LOG.error("session {}: writing to the client failed", session.sessionId(), e);
                session.failed();
            }
        } finally {
            closeCursors();
        }
    }

    /** One round: the connection's own messages, then a fair share of every followed execution's frames. */
    private boolean round() {
        boolean more = false;
        byte[] message;
        for (int n = 0; (message = direct.poll()) != null; n++) {
            directRoom.release(cost(message));
            write(message);
            if (n == DIRECT_PER_ROUND) {
                more = true;
                break;
            }
        }
        if (!more) {
            // After the responses queued before it: a detach response comes in the order of the requests.
            Unfollow u;
            while ((u = unfollows.poll()) != null) {
                Cursor cursor = u.cursor();
                long last;
                if (cursor != null) {
                    last = cursor.position() - 1;
                    // Replies already placed in it (an attach or execute result sent just before the detach) still go.
                    cursor.closeWithPreludes().forEach(this::write);
                } else {
                    last = u.log().nextSeq() - 1; // it had sent the last frame, process.completed, and left the map
                }
                write(u.response().apply(last));
            }
        }
        for (Map.Entry<String, Cursor> e : cursors.entrySet()) {
            Cursor cursor = e.getValue();
            switch (cursor.read(FAIR_SHARE, this::write)) {
                case END -> {
                    cursors.remove(e.getKey(), cursor);
                    cursor.close();
                    session.followEnded(e.getKey());
                }
                case MORE -> more = true;
                case WAIT -> { }
            }
        }
        return more;
    }

    /** Hands one frame to the transport, waiting (at most the send timeout) for the client to take earlier ones. */
    private void write(byte[] frame) {
        int cost = cost(frame);
        if (!credits.tryAcquire(cost)) {
            connection.flush(); // what is batched holds credits: it must go out before any can come back
            try {
                if (!credits.tryAcquire(cost, sendTimeoutNanos, TimeUnit.NANOSECONDS)) {
                    throw new ClientStuck();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("stopped", e);
            }
        }
        connection.sendText(frame, true, () -> credits.release(cost), failure -> credits.release(cost));
        wrote = true;
    }

    private int cost(byte[] message) {
        return Math.min(message.length, outboundBytes);
    }

    private void closeCursors() {
        for (Cursor c : cursors.values()) {
            c.close();
        }
        cursors.clear();
    }
}
