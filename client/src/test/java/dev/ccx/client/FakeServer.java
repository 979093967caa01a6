// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted WebSocket peer for one connection (RFC 6455 framing by hand, text frames only), to play servers the
 * real one is not: the original CC Executor's messages without ccx's fields, a server that never greets, and to
 * see exactly which frames the client sends.
 */
final class FakeServer implements AutoCloseable {
    private final ServerSocket listener;
    private final CompletableFuture<Socket> socket = new CompletableFuture<>();
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

    FakeServer() throws IOException {
        this(new ServerSocket(0, 5, InetAddress.getLoopbackAddress()));
    }

    /** A peer on {@code listener}, which may be an {@link javax.net.ssl.SSLServerSocket} for {@code wss://}. */
    FakeServer(ServerSocket listener) {
        this.listener = listener;
        Thread.ofVirtual().name("fake-server").start(this::serve);
    }

    URI uri() {
        String scheme = listener instanceof javax.net.ssl.SSLServerSocket ? "wss" : "ws";
        return URI.create(scheme + "://127.0.0.1:" + listener.getLocalPort() + "/ws/mcp");
    }

    private void serve() {
        try {
            Socket s = listener.accept();
            InputStream in = s.getInputStream();
            String key = null;
            StringBuilder line = new StringBuilder();
            // Request headers, line by line, until the empty line.
            for (int c; (c = in.read()) >= 0; ) {
                if (c == '\n') {
                    String l = line.toString().strip();
                    if (l.isEmpty()) {
                        break;
                    }
                    if (l.toLowerCase().startsWith("sec-websocket-key:")) {
                        key = l.substring(l.indexOf(':') + 1).strip();
                    }
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.complete(s);
            read(new DataInputStream(in));
        } catch (IOException | NoSuchAlgorithmException e) {
            socket.completeExceptionally(e);
        }
    }

    private void read(DataInputStream in) throws IOException {
        StringBuilder message = new StringBuilder();
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((b1 & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            int opcode = b0 & 0x0f;
            if (opcode == 8) {
                // Answer the close handshake, as a real server does, so the client's close is quick.
                synchronized (this) {
                    OutputStream out = socket.join().getOutputStream();
                    out.write(new byte[] {(byte) 0x88, 0});
                    out.flush();
                }
                return;
            }
            if (opcode == 1 || opcode == 0) {
                message.append(new String(payload, StandardCharsets.UTF_8));
                if ((b0 & 0x80) != 0) {
                    received.add(message.toString());
                    message.setLength(0);
                }
            }
        }
    }

    /** Sends one text frame. */
    synchronized void send(String text) throws Exception {
        OutputStream out = socket.get(10, TimeUnit.SECONDS).getOutputStream();
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        out.write(0x81);
        if (data.length < 126) {
            out.write(data.length);
        } else if (data.length < 65536) {
            out.write(126);
            out.write(data.length >>> 8);
            out.write(data.length & 0xff);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) data.length >>> (8 * i)) & 0xff);
            }
        }
        out.write(data);
        out.flush();
    }

    /** The next text message the client sent, waiting at most 10 s. */
    String next() throws InterruptedException {
        String m = received.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("the client sent nothing within 10 s");
        }
        return m;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket s = socket.isCompletedExceptionally() ? null : socket.getNow(null);
        if (s != null) {
            s.close();
        }
    }
}
