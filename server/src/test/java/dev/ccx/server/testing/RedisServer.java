// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A private redis-server child process on its own port, for tests that stop, pause or kill it: no persistence,
 * loopback only, DEBUG allowed from loopback.
 */
public final class RedisServer implements AutoCloseable {
    public final int port;
    private Process process;

    public RedisServer(int port) {
        this.port = port;
    }

    public void start() throws IOException {
        process = new ProcessBuilder("/usr/bin/redis-server", "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--enable-debug-command", "local")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(this::answers);
    }

    /** SIGKILL, and wait until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }

    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Whether a PING is answered within 100 ms. */
    public boolean answers() {
        return ping(100) == Boolean.TRUE;
    }

    /** Whether the server is up but does not answer a PING within 100 ms (busy or stopped). */
    public boolean unresponsive() {
        return ping(100) == Boolean.FALSE;
    }

    /** TRUE answered, FALSE connected but no answer in time, null not reachable. */
    private Boolean ping(int millis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), millis);
            s.setSoTimeout(millis);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return "+PONG".equals(line);
        } catch (SocketTimeoutException e) {
            return Boolean.FALSE;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether its process is alive. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** A port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Its URL. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }
}
