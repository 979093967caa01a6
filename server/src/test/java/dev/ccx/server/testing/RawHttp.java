// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP request written by hand over a plain socket, for what the JDK's client will not send: a {@code Host}
 * header of our choosing (DNS rebinding), or a WebSocket upgrade whose refusal we want to read.
 */
public final class RawHttp {
    private static final int READ_TIMEOUT_MS = 10_000;

    private RawHttp() {
    }

    /**
     * Sends {@code GET path} to 127.0.0.1:{@code port} with {@code Host: host} and {@code headers}, and returns the
     * response's status line.
     */
    public static String statusLine(int port, String path, String host, Map<String, String> headers)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append("\r\n");
            headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            if (status == null) {
                throw new IOException("the server closed the connection without a status line");
            }
            return status;
        }
    }

    /** The headers of a WebSocket upgrade request, with {@code extra} added. */
    public static Map<String, String> upgrade(Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>(Map.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"));
        h.putAll(extra);
        return h;
    }
}
