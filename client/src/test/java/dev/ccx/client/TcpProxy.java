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
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    /** While set, bytes from the server wait here before they reach the client. */
    private volatile java.util.concurrent.CountDownLatch hold;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Client connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    private void accept() {
        try {
            while (true) {
                Socket in = listener.accept();
                accepted.incrementAndGet();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(in);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pumpHeld(out, in));
            }
        } catch (IOException e) {
            // listener closed
        }
    }

    private void pump(Socket from, Socket to) {
        pump(from, to, false);
    }

    private void pumpHeld(Socket from, Socket to) {
        pump(from, to, true);
    }

    private void pump(Socket from, Socket to, boolean holdable) {
        byte[] buf = new byte[65536];
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            for (int n; (n = i.read(buf)) >= 0; ) {
                java.util.concurrent.CountDownLatch h = hold;
                if (holdable && h != null && !h.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    return;
                }
                o.write(buf, 0, n);
            }
        } catch (IOException e) {
            // dropped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Holds everything the server sends until {@link #release()}. */
    public void holdServerToClient() {
        hold = new java.util.concurrent.CountDownLatch(1);
    }

    /** Lets held bytes through, in order. */
    public void release() {
        java.util.concurrent.CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** Closes every forwarded socket: both peers see the TCP connection end without a close handshake. */
    public void drop() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0); // reset, as a dead peer or a broken network shows it, not a polite FIN
            } catch (IOException ignored) {
                // already closed
            }
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
        release();
        drop();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
