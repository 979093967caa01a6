// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * How fast the load generator itself can receive and check {@code process.output} messages: a trivial in-process
 * server replays the exact message stream ccx sends for {@code gen-lines N} (same JSON, same sizes) as fast as the
 * socket takes it. Measured for the raw client the benchmark uses and, for comparison, for the JDK
 * {@code java.net.http.WebSocket} client. Both share the two cores with the fake server, as they share them with
 * ccx in the real runs.
 */
final class ClientCeiling {
    private ClientCeiling() {
    }

    static void run(int lines, int warmup, int runs, Results r) throws Exception {
        try (FakeCcx server = new FakeCcx(lines)) {
            URI url = URI.create("ws://127.0.0.1:" + server.port() + "/ws/mcp");
            Lines.Run[] raw = new Lines.Run[runs];
            try (RawWs ws = CcxClient.open(url, 1 << 20, 60_000)) {
                for (int i = 0; i < warmup + runs; i++) {
                    Lines.Run run = Lines.ccxRun(ws, "{}", lines, i + 1);
                    System.err.printf("client.raw run %d: %.0f lines/s, client thread CPU %.0f%%%n", i + 1,
                            run.linesPerSecond(), 100 * run.clientCpu());
                    if (i >= warmup) {
                        raw[i - warmup] = run;
                    }
                }
                ws.closeGracefully(1000);
            }
            Lines.record(raw, r, "client.raw");
            Lines.Run[] jdk = new Lines.Run[runs];
            for (int i = 0; i < warmup + runs; i++) {
                Lines.Run run = jdkRun(url, lines);
                System.err.printf("client.jdk run %d: %.0f lines/s%n", i + 1, run.linesPerSecond());
                if (i >= warmup) {
                    jdk[i - warmup] = run;
                }
            }
            Lines.record(jdk, r, "client.jdk");
        }
    }

    /** One execution with the JDK client, every line checked the same way. */
    private static Lines.Run jdkRun(URI url, long lines) throws Exception {
        CompletableFuture<Void> greeted = new CompletableFuture<>();
        CompletableFuture<long[]> finished = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();
            private final LineVerifier verifier = new LineVerifier();
            private long lastLine;
            private long wire;

            @Override
            public void onOpen(WebSocket ws) {
                ws.request(Long.MAX_VALUE);
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                if (!last) {
                    partial.append(data);
                    return null;
                }
                String msg = partial.isEmpty() ? data.toString() : partial.append(data).toString();
                partial.setLength(0);
                try {
                    if (msg.startsWith("{\"jsonrpc\":\"2.0\",\"method\":\"process.output\"")) {
                        int d = msg.indexOf("\"data\":\"") + 8;
                        int q = msg.indexOf('"', d);
                        byte[] b = msg.substring(d, q).getBytes(StandardCharsets.ISO_8859_1);
                        verifier.ccxData(b, 0, b.length);
                        wire += msg.length();
                        lastLine = System.nanoTime();
                    } else if (msg.contains("\"method\":\"process.completed\"")) {
                        if (verifier.count() != lines) {
                            throw new BenchFailure("JDK client: " + verifier.count() + " of " + lines + " lines");
                        }
                        finished.complete(new long[] {lastLine, System.nanoTime(), wire});
                    } else if (msg.contains("\"method\":\"connected\"")) {
                        greeted.complete(null);
                    }
                } catch (RuntimeException e) {
                    finished.completeExceptionally(e);
                }
                return null;
            }
        };
        try (HttpClient http = HttpClient.newHttpClient()) {
            WebSocket ws = http.newWebSocketBuilder().buildAsync(url, listener).get(10, TimeUnit.SECONDS);
            greeted.get(10, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            ws.sendText(CcxClient.executeRequest(1, "{}"), true).get(10, TimeUnit.SECONDS);
            long[] t = finished.get(60, TimeUnit.SECONDS);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            return new Lines.Run(lines, t[2], t[0] - t0, t[1] - t0, Double.NaN);
        }
    }

    /** Speaks just enough of ccx: greets, and answers every text frame with one gen-lines execution. */
    static final class FakeCcx implements AutoCloseable {
        private static final byte[] PRE = Json.bytes(
                "{\"jsonrpc\":\"2.0\",\"method\":\"process.output\",\"params\":{\"type\":\"stdout\",\"data\":\"");
        private static final byte[] MID = Json.bytes("\\n\",\"truncated\":false,\"chunk_index\":null,"
                + "\"total_chunks\":null,\"execution_id\":\"0123456789ab\",\"seq\":");
        private static final byte[] POST = Json.bytes("}}");
        private final ServerSocket listener;
        private final long lines;
        private final Thread acceptor;

        FakeCcx(long lines) throws IOException {
            this.lines = lines;
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = Thread.ofPlatform().daemon(true).name("fake-ccx").start(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    Thread.ofPlatform().daemon(true).name("fake-ccx-conn").start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setTcpNoDelay(true);
                InputStream in = s.getInputStream();
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65_536);
                String key = null;
                for (String line : readHead(in).split("\r\n")) {
                    if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                        key = line.substring(18).trim();
                    }
                }
                byte[] sha = MessageDigest.getInstance("SHA-1").digest(
                        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                frame(out, Json.bytes("{\"jsonrpc\":\"2.0\",\"method\":\"connected\",\"params\":{\"session_id\":\"s\"}}"));
                out.flush();
                while (true) {
                    int op = readFrame(in);
                    if (op != 1) {
                        frame8(out);
                        out.flush();
                        return;
                    }
                    frame(out, Json.bytes("{\"jsonrpc\":\"2.0\",\"result\":{\"status\":\"started\",\"pid\":1,"
                            + "\"pgid\":1,\"execution_id\":\"0123456789ab\"},\"id\":1}"));
                    frame(out, Json.bytes("{\"jsonrpc\":\"2.0\",\"method\":\"process.started\",\"params\":{"
                            + "\"status\":\"started\",\"execution_id\":\"0123456789ab\",\"seq\":1}}"));
                    streamLines(out);
                    frame(out, Json.bytes("{\"jsonrpc\":\"2.0\",\"method\":\"process.completed\",\"params\":{"
                            + "\"status\":\"completed\",\"exit_code\":0,\"execution_id\":\"0123456789ab\",\"seq\":"
                            + (lines + 2) + ",\"stdout_lines\":" + lines + ",\"stderr_lines\":0}}"));
                    out.flush();
                }
            } catch (Exception e) {
                // the client went away
            }
        }

        /**
         * Writes the {@code process.output} frames for lines 0..N-1 (seq 2..N+1) into a large buffer, counting in
         * decimal in place, so the fake server costs little CPU next to the client it measures.
         */
        private void streamLines(OutputStream out) throws IOException {
            out.flush();
            byte[] buf = new byte[1 << 18];
            int n = 0;
            byte[] index = new byte[LineVerifier.DIGITS];
            Arrays.fill(index, (byte) '0');
            byte[] seq = new byte[20];
            Arrays.fill(seq, (byte) '0');
            seq[19] = '2';
            int seqStart = 19;
            for (long i = 0; i < lines; i++) {
                int len = PRE.length + LineVerifier.DIGITS + MID.length + (20 - seqStart) + POST.length;
                if (n + len + 4 > buf.length) {
                    out.write(buf, 0, n);
                    n = 0;
                }
                buf[n++] = (byte) 0x81;
                buf[n++] = (byte) 126;
                buf[n++] = (byte) (len >> 8);
                buf[n++] = (byte) len;
                System.arraycopy(PRE, 0, buf, n, PRE.length);
                n += PRE.length;
                System.arraycopy(index, 0, buf, n, index.length);
                n += index.length;
                System.arraycopy(MID, 0, buf, n, MID.length);
                n += MID.length;
                System.arraycopy(seq, seqStart, buf, n, 20 - seqStart);
                n += 20 - seqStart;
                System.arraycopy(POST, 0, buf, n, POST.length);
                n += POST.length;
                increment(index, 0);
                seqStart = Math.min(seqStart, increment(seq, 0));
            }
            out.write(buf, 0, n);
        }

        /** Adds one to the decimal digits in {@code d}; returns the index of the leftmost digit touched. */
        private static int increment(byte[] d, int from) {
            int k = d.length - 1;
            while (k >= from && d[k] == '9') {
                d[k--] = '0';
            }
            d[k]++;
            return k;
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
                    break;
                }
            }
            return sb.toString();
        }

        /** Reads one (masked) client frame, returns its opcode. */
        private static int readFrame(InputStream in) throws IOException {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return -1;
            }
            long len = b1 & 0x7F;
            if (len == 126) {
                len = (in.read() << 8) | in.read();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | in.read();
                }
            }
            in.readNBytes(((b1 & 0x80) != 0 ? 4 : 0) + (int) len);
            return b0 & 0x0F;
        }

        private static void frame(OutputStream out, byte[] payload) throws IOException {
            frame(out, payload, payload.length);
        }

        private static void frame(OutputStream out, byte[] payload, int len) throws IOException {
            out.write(0x81);
            if (len < 126) {
                out.write(len);
            } else {
                out.write(126);
                out.write(len >> 8);
                out.write(len & 0xFF);
            }
            out.write(payload, 0, len);
        }

        private static void frame8(OutputStream out) throws IOException {
            out.write(0x88);
            out.write(2);
            out.write(0x03);
            out.write(0xE8);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            listener.close();
            acceptor.join(1000);
        }
    }
}
