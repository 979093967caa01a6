// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.Wire;
import dev.ccx.server.exec.ExecException;
import dev.ccx.server.exec.ExecOwner;
import dev.ccx.server.exec.Execution;
import dev.ccx.server.log.Cursor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the executions it runs, the logs it follows, and its {@link SessionWriter}, the one way
 * out to the client.
 *
 * <p>It follows the executions it started and those it attached to, each through a cursor of its own. When the
 * connection goes, the executions it started with {@code on_disconnect: kill} end with reason {@code disconnect};
 * every other one it followed only loses a follower (a kept one with none left starts to linger).
 *
 * <p>Thread-safe: the request thread, the engine's and timer's threads (through {@link ExecOwner}) and the
 * heartbeat all act on it; none of them ever waits here for the client.
 */
public final class ClientSession implements ExecOwner {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final String id;
    private final String principal;
    private final Connection connection;
    private final int slots;
    private final Semaphore slotsFree;
    /** Executions this session started that hold one of its slots: running, not detached. */
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    /** Executions whose log this session follows (started here or attached), by id. */
    private final Map<String, Execution> follows = new ConcurrentHashMap<>();
    private final SessionWriter writer;
    private final Consumer<ClientSession> onGone;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile boolean greeted;

    ClientSession(String id, String principal, Connection connection, SessionSettings settings,
                  Consumer<ClientSession> onGone) {
        this.id = id;
        this.principal = principal;
        this.connection = connection;
        this.slots = settings.maxProcessesPerSession();
        this.slotsFree = new Semaphore(slots);
        this.onGone = onGone;
        this.writer = new SessionWriter(this, connection, settings);
    }

    void start() {
        writer.start();
    }

    @Override
    public String sessionId() {
        return id;
    }

    @Override
    public String remote() {
        return connection.remote();
    }

    @Override
    public String principal() {
        return principal;
    }

    @Override
    public boolean tryAcquireSlot() {
        return slotsFree.tryAcquire();
    }

    @Override
    public void releaseSlot() {
        slotsFree.release();
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public void finished(Execution execution) {
        freeSlot(execution.id());
    }

    /** Frees the slot of an execution once, whether it ended or was detached first. */
    private void freeSlot(String executionId) {
        if (running.remove(executionId) != null) {
            slotsFree.release();
        }
    }

    @Override
    public void wake() {
        writer.wake();
    }

    /**
     * Takes on an execution this session started: control finds it, a disconnect ends it, and its frames go to
     * the client from its owner cursor (held for the execute result, see {@link Cursor#release}).
     */
    public void follow(Execution execution) {
        running.put(execution.id(), execution);
        if (execution.isFinished()) {
            freeSlot(execution.id()); // it ended before this line: finished() came first and found nothing
        }
        follows.put(execution.id(), execution);
        startSending(execution, execution.ownerCursor());
    }

    /** Hands the cursor to the writer; if the connection closed meanwhile, closed() may have missed it: leave. */
    private void startSending(Execution execution, Cursor cursor) {
        writer.follow(execution.id(), cursor);
        if (!open.get()) {
            leave(execution.id());
            cursor.close();
        }
    }

    /**
     * Follows an execution from {@code fromSeq + 1}: the returned cursor is held there until the attach result is
     * released into it, so the result comes first, then every notification after {@code fromSeq}, then the live ones.
     *
     * @throws ExecException INVALID_STATE when this session already follows it
     * @throws dev.ccx.server.log.LogPositionException when the log no longer holds {@code fromSeq + 1}, or it is
     *                                                 beyond the end
     */
    public Cursor attach(Execution execution, long fromSeq) {
        if (follows.putIfAbsent(execution.id(), execution) != null) {
            throw new ExecException(ErrorCode.INVALID_STATE, "This connection already follows execution "
                    + execution.id() + "; detach first to attach from another position");
        }
        Cursor cursor;
        try {
            cursor = execution.log().open(fromSeq + 1, writer::wake, true);
        } catch (RuntimeException e) {
            follows.remove(execution.id(), execution);
            throw e;
        }
        execution.followed();
        startSending(execution, cursor);
        return cursor;
    }

    /**
     * Stops following {@code executionId}: the writer sends {@code response} (given the {@code seq} of the last
     * notification it sent of it) in place of anything more of it. A kept execution goes on; an execution this
     * session started without {@code keep} cannot be detached from (it would end with its connection anyway).
     *
     * @throws ExecException NO_SUCH_PROCESS when this session does not follow it, INVALID_STATE for a kill one of
     *                       its own
     */
    public void detach(String executionId, java.util.function.LongFunction<byte[]> response) {
        Execution e = follows.get(executionId);
        if (e == null) {
            throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "This connection does not follow execution "
                    + executionId);
        }
        if (e.owner() == this && !e.ownership().keep()) {
            throw new ExecException(ErrorCode.INVALID_STATE, "Execution " + executionId + " was started with "
                    + "on_disconnect: kill; it ends with this connection, so it cannot be detached (start it with "
                    + "on_disconnect: \"keep\" to detach)");
        }
        freeSlot(executionId); // detached: it no longer counts against this connection's limit
        writer.unfollow(executionId, e.log(), response);
        leave(executionId);
    }

    /** The writer has sent everything of an ended execution: it is no longer followed. */
    void followEnded(String executionId) {
        leave(executionId);
    }

    /** Stops following once: a kill execution of this session ends, any other one loses a follower. */
    private void leave(String executionId) {
        Execution e = follows.remove(executionId);
        if (e == null) {
            return;
        }
        if (e.owner() == this && !e.ownership().keep() && !open.get()) {
            e.end(EndReason.DISCONNECT);
        }
        e.unfollowed();
    }

    /** The executions this session started that are running (and not detached). */
    public List<Execution> executions() {
        return List.copyOf(running.values());
    }

    /** An execution this session follows, by id, or {@code null}. */
    public Execution execution(String executionId) {
        return follows.get(executionId);
    }

    /** The cursor through which this session follows an execution, or {@code null}. */
    public Cursor cursor(String executionId) {
        return writer.cursor(executionId);
    }

    /**
     * Serialises {@code message} and queues it for the client. Waits while the session's queue is full (a client
     * that sends requests without reading the answers), at most the send timeout.
     */
    public void send(Object message) {
        if (open.get()) {
            writer.offer(Wire.mapper().writeValueAsBytes(message), writer.sendTimeoutNanos());
        }
    }

    /** Queues {@code message} only if there is room now (heartbeats: no backlog of them for a client that lags). */
    boolean trySend(Object message) {
        return open.get() && writer.offer(Wire.mapper().writeValueAsBytes(message), 0);
    }

    /** Marks that {@code connected} has been sent; nothing else (heartbeats included) may precede it. */
    public void greeted() {
        greeted = true;
    }

    boolean isGreeted() {
        return greeted;
    }

    /** Records that the client sent something (any frame, including WebSocket pongs). */
    public void touched() {
        lastInboundNanos = System.nanoTime();
    }

    long lastInboundNanos() {
        return lastInboundNanos;
    }

    Connection connection() {
        return connection;
    }

    SessionWriter writer() {
        return writer;
    }

    /** Closes the connection (with a close handshake); {@link #closed()} follows from the transport. */
    public void close(int code, String reason) {
        connection.close(code, reason);
    }

    /** The writer gave up on a client that took nothing for {@code seconds}: drop it now, end its executions. */
    void stuck(long seconds) {
        LOG.warn("session {}: client took nothing for {}s; dropping the connection", id, seconds);
        connection.abort();
        onGone.accept(this);
    }

    /** The writer failed: close the connection (1011) and end the session's executions now. */
    void failed() {
        connection.close(1011, "Internal error while sending");
        onGone.accept(this);
    }

    /**
     * The connection is gone: stop writing, end every execution the session started with {@code on_disconnect:
     * kill} (reason {@code disconnect}) at once, and stop following the others. Idempotent.
     */
    void closed() {
        if (open.compareAndSet(true, false)) {
            List.copyOf(follows.keySet()).forEach(this::leave);
            writer.stop();
        }
    }
}
