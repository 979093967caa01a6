// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.protocol.ErrorCode;
import dev.ccx.server.observe.Refusal;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.rpc.RpcDispatcher;
import dev.ccx.server.session.ClientSession;
import dev.ccx.server.session.SessionHub;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection. Jetty delivers its frames one at a time (auto-demand: the next frame is read when the
 * previous callback returns), so requests of one session are handled in order. Public only because Jetty calls
 * its methods through method handles.
 */
public final class WsEndpoint implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(WsEndpoint.class);
    private final SessionHub hub;
    private final RpcDispatcher dispatcher;
    private final String principal;
    private final ServerObserver observer;
    private volatile ClientSession session;

    WsEndpoint(SessionHub hub, RpcDispatcher dispatcher, String principal, ServerObserver observer) {
        this.observer = observer;
        this.hub = hub;
        this.dispatcher = dispatcher;
        this.principal = principal;
    }

    @Override
    public void onWebSocketOpen(Session ws) {
        ClientSession s = hub.open(new JettyConnection(ws), principal);
        if (s == null) {
            observer.refused(new Refusal("connect", "max_sessions", true, ErrorCode.SESSION_LIMIT.code(),
                    RpcDispatcher.sessionLimitMessage(hub.maxSessions()), null,
                    JettyConnection.address(ws.getRemoteSocketAddress()), Map.of()));
            // Tell the client why before closing, as the original did (its code -32003, then close 1008).
            ws.sendText(RpcDispatcher.sessionLimitError(hub.maxSessions()),
                    Callback.from(() -> ws.close(1008, "Session limit exceeded", Callback.NOOP),
                            x -> ws.close(1008, "Session limit exceeded", Callback.NOOP)));
            return;
        }
        session = s;
        dispatcher.opened(s);
        hub.start(s);
    }

    @Override
    public void onWebSocketText(String message) {
        ClientSession s = session;
        if (s != null) {
            s.touched();
            dispatcher.message(s, message);
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        ClientSession s = session;
        if (s != null) {
            s.touched();
            dispatcher.binary(s);
        }
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        ClientSession s = session;
        if (s != null) {
            s.touched();
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        ClientSession s = session;
        if (s != null) {
            LOG.debug("session {} closed by {} ({})", s.sessionId(), statusCode, reason);
            hub.closed(s);
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        ClientSession s = session;
        LOG.debug("session {}: websocket error: {}", s == null ? "-" : s.sessionId(), cause.toString());
        if (s != null) {
            hub.closed(s);
        }
    }
}
