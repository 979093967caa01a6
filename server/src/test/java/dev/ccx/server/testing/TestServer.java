// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.server.ExecServer;
import dev.ccx.server.ServerConfig;
import dev.ccx.server.process.Engines;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** A real {@link ExecServer} on a free loopback port with its own state directory. */
public final class TestServer implements AutoCloseable {
    private final ExecServer server;
    private final Path stateDir;

    private TestServer(ExecServer server, Path stateDir) {
        this.server = server;
        this.stateDir = stateDir;
    }

    /**
     * The process engine the server tests run against: {@code -Dccx.spawner=native|jdk|auto} (the build runs the
     * integration tests once with each), {@code auto} when unset.
     */
    public static Engines.Choice spawner() {
        return Engines.Choice.parse(System.getProperty("ccx.spawner", "auto"));
    }

    /** Starts a server with the defaults (and a short kill grace, so tests of termination stay quick). */
    public static TestServer start() {
        return start(b -> b);
    }

    /** Starts a server after {@code configure} has adjusted the builder. */
    public static TestServer start(UnaryOperator<ServerConfig.Builder> configure) {
        try {
            Path stateDir = Files.createTempDirectory("ccx-state");
            ServerConfig.Builder builder = ServerConfig.builder().port(0).stateDir(stateDir)
                    .killGrace(java.time.Duration.ofMillis(500)).spawner(spawner());
            return new TestServer(ExecServer.start(configure.apply(builder).build()), stateDir);
        } catch (Exception e) {
            throw new IllegalStateException("test server did not start", e);
        }
    }

    /** The WebSocket URI. */
    public URI uri() {
        return URI.create(server.url());
    }

    /** The HTTP base URI, for /health. */
    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A new connected client. */
    public TestClient connect() {
        return TestClient.connect(uri());
    }

    public ExecServer server() {
        return server;
    }

    public Path stateDir() {
        return stateDir;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            try (var files = Files.walk(stateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp directory
            }
        }
    }
}
