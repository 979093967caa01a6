// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.Wire;
import dev.ccx.server.exec.ExecOwner;
import dev.ccx.server.exec.Execution;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: its executions, and the one path by which messages leave for it.
 *
 * <p>Outbound flow control: at most {@code outboundBytes} bytes may be queued in the transport and not yet
 * written. A sender that finds the budget spent waits (that is how a slow client slows a fast process down, the
 * same natural backpressure websocketd uses); if no room appears within {@code sendTimeout} the client is taken
 * as stuck, the connection is closed and its executions end with reason {@code disconnect}. Memory per session is
 * therefore bounded, and no output is dropped while the connection lives.
 *
 * <p>Thread-safe: requests, pumps, timers and the heartbeat all send through here.
 */
public final class ClientSession implements ExecOwner {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final String id;
    private final Connection connection;
    private final int slots;
    private final Semaphore slotsFree;
    private final int outboundBytes;
    private final Semaphore credits;
    private final long sendTimeoutNanos;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile boolean greeted;

    ClientSession(String id, Connection connection, SessionSettings settings) {
        this.id = id;
        this.connection = connection;
        this.slots = settings.maxProcessesPerSession();
        this.slotsFree = new Semaphore(slots);
        this.outboundBytes = settings.outboundBytes();
        this.credits = new Semaphore(outboundBytes);
        this.sendTimeoutNanos = settings.sendTimeout().toNanos();
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
    public void register(Execution execution) {
        executions.put(execution.id(), execution);
        if (!open.get()) {
            // The connection closed while this execute was being handled: closed() may have missed it.
            execution.end(EndReason.DISCONNECT);
        }
    }

    @Override
    public void unregister(Execution execution) {
        executions.remove(execution.id());
        releaseSlot();
    }

    @Override
    public void notify(String method, Object params) {
        send(new Envelopes.Notification(method, params), false);
    }

    @Override
    public void notifyBatched(String method, Object params) {
        send(new Envelopes.Notification(method, params), true);
    }

    @Override
    public void sendBatched(byte[] json) {
        sendUtf8(json, true);
    }

    @Override
    public void flush() {
        if (open.get()) {
            connection.flush();
        }
    }

    /** The session's running executions. */
    public List<Execution> executions() {
        return List.copyOf(executions.values());
    }

    /** Finds a running execution by id, or {@code null}. */
    public Execution execution(String executionId) {
        return executions.get(executionId);
    }

    /** Serialises {@code message} and sends it now, waiting for room in the outbound budget (see class doc). */
    public void send(Object message) {
        send(message, false);
    }

    private void send(Object message, boolean batch) {
        if (open.get()) {
            sendUtf8(Wire.mapper().writeValueAsBytes(message), batch);
        }
    }

    private void sendUtf8(byte[] json, boolean batch) {
        if (!open.get()) {
            return;
        }
        int cost = Math.min(json.length, outboundBytes);
        try {
            if (!credits.tryAcquire(cost, sendTimeoutNanos, TimeUnit.NANOSECONDS)) {
                LOG.warn("session {}: client read nothing for {}s; closing", id,
                        TimeUnit.NANOSECONDS.toSeconds(sendTimeoutNanos));
                close(1008, "Client is not reading its messages");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        transmit(json, cost, batch);
    }

    /** Sends {@code message} only if the outbound budget has room now; used for heartbeats. */
    boolean trySend(Object message) {
        byte[] json = Wire.mapper().writeValueAsBytes(message);
        int cost = Math.min(json.length, outboundBytes);
        if (!open.get() || !credits.tryAcquire(cost)) {
            return false;
        }
        transmit(json, cost, false);
        return true;
    }

    private void transmit(byte[] json, int cost, boolean batch) {
        connection.sendText(json, batch, () -> credits.release(cost), failure -> {
            credits.release(cost);
            LOG.debug("session {}: send failed: {}", id, failure.toString());
        });
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

    /** Closes the connection; {@link #closed()} follows from the transport. */
    public void close(int code, String reason) {
        connection.close(code, reason);
    }

    /**
     * The connection is gone: stop sending and end every execution the session started (reason
     * {@code disconnect}). Idempotent.
     */
    void closed() {
        if (open.compareAndSet(true, false)) {
            executions.values().forEach(e -> e.end(EndReason.DISCONNECT));
            // Wake any pump blocked on the outbound budget: nothing will be written any more.
            credits.release(outboundBytes);
        }
    }
}
