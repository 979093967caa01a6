// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.server.session.Connection;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * A Jetty WebSocket session seen as a {@link Connection}. Jetty queues frames in call order and is thread-safe.
 * Frames go through Jetty's core session, because only it offers batching: output lines are aggregated into one
 * buffer and written with one system call, instead of one write per line.
 */
final class JettyConnection implements Connection {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private final Session session;
    private final CoreSession core;
    /** Read once at open: a closed session no longer knows its peer, and the audit log asks at the end. */
    private final String remote;

    JettyConnection(Session session) {
        this.session = session;
        this.core = ((WebSocketSession) session).getCoreSession();
        this.remote = address(session.getRemoteSocketAddress());
    }

    @Override
    public void sendText(byte[] utf8, boolean batch, Runnable onSent, Consumer<Throwable> onFailed) {
        core.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(utf8)), org.eclipse.jetty.util.Callback.from(onSent,
                onFailed), batch);
    }

    @Override
    public void flush() {
        core.flush(org.eclipse.jetty.util.Callback.NOOP);
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
    public void abort() {
        session.disconnect();
    }

    @Override
    public String remote() {
        return remote;
    }

    /** {@code host:port}, or {@code [v6]:port}: the same for WebSocket sessions and HTTP requests. */
    static String address(SocketAddress address) {
        if (!(address instanceof InetSocketAddress a) || a.getAddress() == null) {
            return String.valueOf(address);
        }
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
