// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.protocol.Wire;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * A WebSocket client on a plain socket, for the clients a real library will not play: one that stops reading (its
 * receive buffer stays full, so the server's writes stall), one that reads slowly, one that drops the TCP
 * connection without a close frame. It reads only when the test calls {@link #next()}.
 */
public final class RawClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        // Buffered: a reader of hundreds of thousands of frames should not pay a system call per header byte.
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and completes the upgrade. {@code receiveBuffer} bytes of socket buffer (small: the server's writes
     * stall sooner when this client stops reading).
     */
    public static RawClient connect(URI ws, int receiveBuffer) {
        try {
            Socket s = new Socket();
            s.setReceiveBufferSize(receiveBuffer);
            s.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 5_000);
            s.setSoTimeout(20_000);
            RawClient c = new RawClient(s);
            c.upgrade(ws);
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("raw client could not connect to " + ws, e);
        }
    }

    private void upgrade(URI ws) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + ws.getRawPath() + " HTTP/1.1\r\nHost: " + ws.getHost() + ":" + ws.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + response);
        }
    }

    /** Sends a JSON-RPC request and returns its id. */
    public long send(String method, Map<String, ?> params) {
        long id = ids.incrementAndGet();
        sendText(TestClient.request(id, method, params).getBytes(StandardCharsets.UTF_8));
        return id;
    }

    private void sendText(byte[] payload) {
        try {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x81);
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else if (payload.length < 65_536) {
                frame.write(0x80 | 126);
                frame.write(payload.length >> 8);
                frame.write(payload.length);
            } else {
                frame.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    frame.write((int) ((long) payload.length >> shift));
                }
            }
            byte[] mask = new byte[4];
            RANDOM.nextBytes(mask);
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    /**
     * Reads the next text message (answering pings, skipping pongs), or returns {@code null} when the server
     * closed the connection.
     */
    public JsonNode next() {
        try {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    return null;
                }
                int opcode = b0 & 0x0F;
                long len = in.readUnsignedByte() & 0x7F;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] payload = new byte[Math.toIntExact(len)];
                in.readFully(payload);
                switch (opcode) {
                    case 0x1 -> {
                        return Wire.mapper().readTree(payload);
                    }
                    case 0x8 -> {
                        return null;
                    }
                    case 0x9 -> sendControl(0x8A, payload); // pong
                    default -> { } // pong or continuation: not used by the server
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads messages until one about {@code executionId} with method {@code method}; {@code null} if closed first. */
    public JsonNode next(String method, String executionId) {
        for (JsonNode m; (m = next()) != null; ) {
            JsonNode p = m.get("params");
            if (method.equals(TestClient.text(m, "method")) && p != null
                    && executionId.equals(TestClient.text(p, "execution_id"))) {
                return m;
            }
        }
        return null;
    }

    /** Reads messages until the response with {@code id}; {@code null} if closed first. */
    public JsonNode response(long id) {
        for (JsonNode m; (m = next()) != null; ) {
            if (m.has("id") && m.get("id").isNumber() && m.get("id").longValue() == id) {
                return m;
            }
        }
        return null;
    }

    private void sendControl(int head, byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) head;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    /** The socket's input, for a test that wants to read raw bytes. */
    public InputStream input() {
        return in;
    }

    /** Drops the TCP connection without a close frame. */
    @Override
    public void close() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
