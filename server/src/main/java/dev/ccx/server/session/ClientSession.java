// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Wire;
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
 * <p>Thread-safe: the request thread, the engine's and timer's threads (through {@link ExecOwner}) and the
 * heartbeat all act on it; none of them ever waits here for the client.
 */
public final class ClientSession implements ExecOwner {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final String id;
    private final Connection connection;
    private final int slots;
    private final Semaphore slotsFree;
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    private final SessionWriter writer;
    private final Consumer<ClientSession> onGone;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile boolean greeted;

    ClientSession(String id, Connection connection, SessionSettings settings, Consumer<ClientSession> onGone) {
        this.id = id;
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
        running.remove(execution.id());
        slotsFree.release();
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
            running.remove(execution.id()); // it ended before this line: finished() came first
        }
        writer.follow(execution.id(), execution.ownerCursor());
        if (!open.get()) {
            // The connection closed while this execute was being handled: closed() may have missed it.
            execution.end(EndReason.DISCONNECT);
            execution.ownerCursor().close();
        }
    }

    /** The session's running executions. */
    public List<Execution> executions() {
        return List.copyOf(running.values());
    }

    /** Finds a running execution by id, or {@code null}. */
    public Execution execution(String executionId) {
        return running.get(executionId);
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
     * The connection is gone: stop writing and end every execution the session started (reason {@code disconnect})
     * at once. Idempotent.
     */
    void closed() {
        if (open.compareAndSet(true, false)) {
            running.values().forEach(e -> e.end(EndReason.DISCONNECT));
            writer.stop();
        }
    }
}
