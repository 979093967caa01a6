// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder in front of a server, so a test can drop the socket under a live connection without
 * the server noticing first: {@link #drop()} closes every forwarded socket at once, with no WebSocket close frame.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket in = listener.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(in);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pump(out, in));
            }
        } catch (IOException e) {
            // listener closed
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[65536];
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            for (int n; (n = i.read(buf)) >= 0; ) {
                o.write(buf, 0, n);
            }
        } catch (IOException e) {
            // dropped
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Closes every forwarded socket: both peers see the TCP connection end without a close handshake. */
    void drop() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        drop();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
