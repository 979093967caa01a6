// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.server.session.Connection;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** A Jetty WebSocket session seen as a {@link Connection}. Jetty queues frames in call order and is thread-safe. */
final class JettyConnection implements Connection {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private final Session session;

    JettyConnection(Session session) {
        this.session = session;
    }

    @Override
    public void sendText(String text, Runnable onSent, Consumer<Throwable> onFailed) {
        session.sendText(text, Callback.from(onSent, onFailed));
    }

    @Override
    public void sendPing() {
        session.sendPing(EMPTY.duplicate(), Callback.NOOP);
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
    }

    @Override
    public String remote() {
        return String.valueOf(session.getRemoteSocketAddress());
    }
}
