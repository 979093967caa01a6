// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.server.ExecServer;
import dev.ccx.server.ServerConfig;
import java.net.URI;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestServer} for all tests of a class, started before the first and closed after the last:
 * {@code @RegisterExtension static final SharedServer server = new SharedServer(b -> b.maxProcessesPerSession(4));}
 */
public final class SharedServer implements BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<ServerConfig.Builder> configure;
    private TestServer server;

    /** A server with the test defaults. */
    public SharedServer() {
        this(b -> b);
    }

    /** A server adjusted by {@code configure}. */
    public SharedServer(UnaryOperator<ServerConfig.Builder> configure) {
        this.configure = configure;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = TestServer.start(configure);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** A new connected client. */
    public TestClient connect() {
        return server.connect();
    }

    /** The WebSocket URI. */
    public URI uri() {
        return server.uri();
    }

    /** An HTTP URI on the server, for /health. */
    public URI http(String path) {
        return server.http(path);
    }

    /** The running server. */
    public ExecServer server() {
        return server.server();
    }
}
