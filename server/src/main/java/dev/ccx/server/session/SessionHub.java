// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.Ping;
import dev.ccx.server.concurrent.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All open sessions: admits them up to {@code max_sessions}, and runs the heartbeat.
 *
 * <p>Heartbeat: every interval each session gets a WebSocket ping frame and the original's application-level
 * {@code ping} notification (only when its queue has room: a lagging client gets no heartbeat backlog). A session
 * is closed (1001) only when nothing at all, not even a WebSocket pong, has arrived for two intervals, so a client
 * that never answers the application {@code ping} (the original's own clients never did) stays connected as long
 * as its WebSocket stack answers pings.
 */
public final class SessionHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHub.class);

    private final SessionSettings settings;
    private final int maxSessions;
    private final Semaphore admissions;
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeat;
    private final long intervalNanos;

    /**
     * @param settings     per-session settings
     * @param maxSessions  connections admitted at once
     * @param pingInterval heartbeat period
     */
    public SessionHub(SessionSettings settings, int maxSessions, Duration pingInterval) {
        this.settings = settings;
        this.maxSessions = maxSessions;
        this.admissions = new Semaphore(maxSessions);
        this.intervalNanos = pingInterval.toNanos();
        this.heartbeat = Threads.scheduler("heartbeat");
        heartbeat.scheduleAtFixedRate(this::beat, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Admits a new connection with the credentials it presented, or returns {@code null} when {@code max_sessions} are open. The caller queues the
     * greeting, then calls {@link #start}.
     */
    public ClientSession open(Connection connection, String principal) {
        if (!admissions.tryAcquire()) {
            return null;
        }
        ClientSession session = new ClientSession(UUID.randomUUID().toString(), principal, connection, settings,
                this::closed);
        sessions.put(session.sessionId(), session);
        LOG.debug("session {} opened from {}", session.sessionId(), connection.remote());
        return session;
    }

    /** Starts the session's writer. */
    public void start(ClientSession session) {
        session.start();
    }

    /** A session's connection has closed (reported by the transport, or dropped by its writer). Idempotent. */
    public void closed(ClientSession session) {
        if (sessions.remove(session.sessionId()) != null) {
            admissions.release();
            session.closed();
            LOG.debug("session {} closed", session.sessionId());
        }
    }

    /** Sessions open now. */
    public int activeCount() {
        return sessions.size();
    }

    /** The session limit. */
    public int maxSessions() {
        return maxSessions;
    }

    /** Snapshot of the open sessions. */
    public List<ClientSession> sessions() {
        return List.copyOf(sessions.values());
    }

    private void beat() {
        long now = System.nanoTime();
        for (ClientSession s : sessions.values()) {
            if (!s.isGreeted()) {
                continue; // connected must be the first message a client sees
            }
            try {
                if (now - s.lastInboundNanos() > 2 * intervalNanos) {
                    LOG.info("session {}: nothing received for {}s, closing", s.sessionId(),
                            TimeUnit.NANOSECONDS.toSeconds(now - s.lastInboundNanos()));
                    s.close(1001, "Heartbeat timeout: no frame received for two ping intervals");
                    continue;
                }
                s.connection().sendPing();
                s.trySend(new Envelopes.Notification(Methods.PING, new Ping(System.currentTimeMillis() / 1000.0)));
            } catch (RuntimeException e) {
                LOG.warn("heartbeat for session {} failed: {}", s.sessionId(), e.toString());
            }
        }
    }

    /**
     * Closes every session with {@code code}: each writer first sends what its logs hold (their
     * {@code process.completed} above all), for at most {@code drain}; a connection not done by then is dropped.
     */
    public void closeAll(int code, String reason, Duration drain) {
        long deadline = System.nanoTime() + drain.toNanos();
        List<ClientSession> all = sessions();
        all.forEach(s -> s.writer().closeAfterDrain(code, reason));
        for (ClientSession s : all) {
            if (!s.writer().awaitEnd(deadline)) {
                s.connection().abort();
            }
            closed(s);
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
    }
}
