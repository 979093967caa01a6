// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal blocking RFC 6455 client over a plain socket: no extensions, no allocation per received frame, so the
 * client spends as little CPU as possible and the server gets the machine (two cores here). Received messages are
 * handed out as a view into the read buffer ({@link #data}, {@link #off}, {@link #len}), valid until the next call to
 * {@link #next()}. Pings are answered, pongs skipped, fragmented messages reassembled.
 *
 * <p>Not thread-safe: one thread per connection.
 */
final class RawWs implements Closeable {
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CLOSE = 8;
    static final int EOF = -1;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buf;
    private int pos;
    private int lim;
    private byte[] frag = new byte[0];
    private int fragLen;

    /** The current message: {@code data[off, off + len)}. */
    byte[] data;
    int off;
    int len;
    /** Close code of the received close frame, or -1. */
    int closeCode = -1;

    private RawWs(Socket socket, int bufferSize) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.buf = new byte[bufferSize];
    }

    /** Connects to {@code ws://host:port/path} and completes the opening handshake. */
    static RawWs connect(URI uri, int bufferSize, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            RawWs ws = new RawWs(s, bufferSize);
            ws.handshake(uri);
            return ws;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void handshake(URI uri) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        int end;
        while ((end = headerEnd()) < 0) {
            if (lim == buf.length) {
                throw new IOException("handshake response headers too long");
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            lim += n;
        }
        String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        pos = end + 4;
        String[] lines = head.split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + lines[0]);
        }
        String expected = accept(key);
        boolean ok = false;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
                ok = line.substring(colon + 1).trim().equals(expected);
            }
        }
        if (!ok) {
            throw new IOException("bad or missing Sec-WebSocket-Accept in: " + head);
        }
    }

    private int headerEnd() {
        for (int i = 0; i + 3 < lim; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String accept(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes sure {@code n} bytes are buffered from {@code pos}; false at end of stream. */
    private boolean fill(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(n, buf.length * 2));
        }
        while (lim < n) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                return false;
            }
            lim += r;
        }
        return true;
    }

    /**
     * Reads the next message. Returns {@link #TEXT} or {@link #BINARY} with the payload in {@link #data}/{@link #off}/
     * {@link #len}, {@link #CLOSE} for a close frame (code in {@link #closeCode}), or {@link #EOF}.
     */
    int next() throws IOException {
        int messageOp = -1;
        while (true) {
            if (!fill(2)) {
                return EOF;
            }
            int b0 = buf[pos] & 0xFF;
            int b1 = buf[pos + 1] & 0xFF;
            boolean fin = (b0 & 0x80) != 0;
            int op = b0 & 0x0F;
            if ((b1 & 0x80) != 0) {
                throw new IOException("server sent a masked frame");
            }
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                if (!fill(4)) {
                    return EOF;
                }
                length = ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                if (!fill(10)) {
                    return EOF;
                }
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = (length << 8) | (buf[pos + i] & 0xFF);
                }
                header = 10;
            }
            if (length > Integer.MAX_VALUE - 16) {
                throw new IOException("frame too large: " + length);
            }
            int total = header + (int) length;
            if (!fill(total)) {
                return EOF;
            }
            int start = pos + header;
            int plen = (int) length;
            pos += total;
            switch (op) {
                case 0x9 -> sendFrame(0xA, buf, start, plen); // ping: pong with the same payload
                case 0xA -> { } // pong
                case 0x8 -> {
                    closeCode = plen >= 2 ? ((buf[start] & 0xFF) << 8) | (buf[start + 1] & 0xFF) : 1005;
                    return CLOSE;
                }
                case 0x1, 0x2, 0x0 -> {
                    if (op != 0) {
                        messageOp = op;
                    }
                    if (fin && fragLen == 0) {
                        data = buf;
                        off = start;
                        len = plen;
                        return messageOp;
                    }
                    if (fragLen + plen > frag.length) {
                        frag = Arrays.copyOf(frag, Math.max(fragLen + plen, frag.length * 2));
                    }
                    System.arraycopy(buf, start, frag, fragLen, plen);
                    fragLen += plen;
                    if (fin) {
                        data = frag;
                        off = 0;
                        len = fragLen;
                        fragLen = 0;
                        return messageOp;
                    }
                }
                default -> throw new IOException("unexpected opcode " + op);
            }
        }
    }

    /** The current message as a string (for diagnostics and rare messages). */
    String text() {
        return new String(data, off, len, StandardCharsets.UTF_8);
    }

    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        sendFrame(0x1, payload, 0, payload.length);
    }

    void sendClose(int code) throws IOException {
        byte[] p = {(byte) (code >> 8), (byte) code};
        sendFrame(0x8, p, 0, 2);
    }

    private void sendFrame(int opcode, byte[] payload, int offset, int length) throws IOException {
        byte[] frame = new byte[14 + length];
        int h = 0;
        frame[h++] = (byte) (0x80 | opcode);
        if (length < 126) {
            frame[h++] = (byte) (0x80 | length);
        } else if (length < 65_536) {
            frame[h++] = (byte) (0x80 | 126);
            frame[h++] = (byte) (length >> 8);
            frame[h++] = (byte) length;
        } else {
            frame[h++] = (byte) (0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame[h++] = (byte) ((long) length >> (8 * i));
            }
        }
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] m = {(byte) (mask >> 24), (byte) (mask >> 16), (byte) (mask >> 8), (byte) mask};
        System.arraycopy(m, 0, frame, h, 4);
        h += 4;
        for (int i = 0; i < length; i++) {
            frame[h + i] = (byte) (payload[offset + i] ^ m[i & 3]);
        }
        out.write(frame, 0, h + length);
        out.flush();
    }

    /** Sends a close frame, waits briefly for the peer's close (or end of stream), then closes the socket. */
    void closeGracefully(int waitMillis) {
        try {
            sendClose(1000);
            socket.setSoTimeout(waitMillis);
            int op;
            do {
                op = next();
            } while (op != CLOSE && op != EOF);
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
