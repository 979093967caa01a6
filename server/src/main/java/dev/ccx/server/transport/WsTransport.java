// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.protocol.Wire;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.observe.Refusal;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.rpc.RpcDispatcher;
import dev.ccx.server.session.SessionHub;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The Jetty server: WebSocket on {@link Wire#PATH}, health on {@code /health} and {@code /healthz}, metrics on
 * {@code /metrics}, the dashboard on {@code /}. Request handling may run on virtual threads; Jetty's selector
 * threads stay platform threads.
 */
public final class WsTransport implements AutoCloseable {
    private static final Duration MIN_IDLE = Duration.ofSeconds(30);
    private static final int OUTPUT_BUFFER_BYTES = 64 * 1024;
    private static final int MAX_PLATFORM_THREADS = 16;
    private static final int MIN_PLATFORM_THREADS = 4;
    private final Server server;
    private final ServerConnector connector;
    /** Scrapes, one at a time; a few more may wait, the rest get 503. */
    private final ExecutorService scraper = Threads.platformQueue("metrics", 8);

    /**
     * @param settings   address, limits and access rules
     * @param hub        where sessions are admitted
     * @param dispatcher where requests go
     * @param health     builds the {@code /health} document
     * @param scrape     writes the metrics for {@code /metrics}
     * @param observer   told about refused upgrades, scrapes and sessions
     */
    public WsTransport(TransportSettings settings, SessionHub hub, RpcDispatcher dispatcher,
                       Supplier<Object> health, Scrape scrape, ServerObserver observer) {
        // Selector and acceptor stay on a few platform threads; everything that may block runs on virtual threads,
        // so the pool never grows with the number of connections.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_PLATFORM_THREADS, MIN_PLATFORM_THREADS, 60_000, -1,
                null, null, Threads.platform("http"));
        threads.setName("ccx-http");
        threads.setVirtualThreadsExecutor(Threads.virtualPerTask("request"));
        server = new Server(threads);
        server.setStopTimeout(200);
        connector = new ServerConnector(server);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        server.addConnector(connector);

        UpgradeGuard guard = new UpgradeGuard(settings.allowedOrigins(), settings.tokens());
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(settings.maxMessageBytes());
            container.setMaxBinaryMessageSize(settings.maxMessageBytes());
            // Batched output lines are aggregated in this buffer: bigger means fewer socket writes in a flood.
            container.setOutputBufferSize(OUTPUT_BUFFER_BYTES);
            // Liveness is the heartbeat's job (it pings every interval); this only catches a wedged socket.
            Duration idle = settings.pingInterval().multipliedBy(3);
            container.setIdleTimeout(idle.compareTo(MIN_IDLE) < 0 ? MIN_IDLE : idle);
            container.addMapping(Wire.PATH, (request, response, callback) -> {
                UpgradeGuard.Refusal refusal = guard.check(request);
                if (refusal != null) {
                    observer.refused(new Refusal("connect", refusal.rule(), false, refusal.status(),
                            refusal.message(), null, UpgradeGuard.remote(request), upgradeRequest(request)));
                    if (refusal.status() == 401) {
                        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                    }
                    Response.writeError(request, response, callback, refusal.status(), refusal.message());
                    return null;
                }
                if (!settings.acceptClients()) {
                    Response.writeError(request, response, callback, 503, "This node is a cluster worker (--role "
                            + "worker): it runs executions placed by other nodes; connect to a gateway");
                    return null;
                }
                return new WsEndpoint(hub, dispatcher, guard.principal(request), observer);
            });
        });
        PathMappingsHandler routes = new PathMappingsHandler();
        HealthHandler healthHandler = new HealthHandler(health);
        routes.addMapping(PathSpec.from("/health"), healthHandler);
        routes.addMapping(PathSpec.from("/healthz"), healthHandler);
        routes.addMapping(PathSpec.from("/metrics"), new MetricsHandler(guard, scrape, observer, scraper));
        routes.addMapping(PathSpec.from("/"), new DashboardHandler());
        ws.setHandler(routes);
        server.setHandler(ws);
    }

    /** What the audit log keeps of a refused upgrade: never the token. */
    private static Map<String, Object> upgradeRequest(Request request) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("path", request.getHttpURI().getPath());
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null) {
            r.put("origin", origin);
        }
        String agent = request.getHeaders().get(HttpHeader.USER_AGENT);
        if (agent != null) {
            r.put("user_agent", agent);
        }
        return r;
    }

    /** Writes the metrics in the format {@code accept} asks for and returns its content type. */
    @FunctionalInterface
    public interface Scrape {
        String write(String accept, OutputStream out) throws IOException;
    }

    /** Binds and starts serving. */
    public void start() throws Exception {
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** Stops accepting new connections; open ones carry on. */
    public void stopAccepting() {
        connector.close();
    }

    /** Stops the server, closing whatever connections remain. */
    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } catch (TimeoutException e) {
            // The graceful period ran out with connections still closing; Jetty has stopped them regardless.
        } finally {
            scraper.shutdownNow();
        }
    }

    /**
     * @param host            address to bind
     * @param port            port, 0 for any free one
     * @param maxMessageBytes largest inbound message (bigger: close 1009)
     * @param pingInterval    heartbeat period
     * @param allowedOrigins  browser origins allowed to connect
     * @param tokens          accepted tokens, each its own credentials (empty: none required)
     */
    public record TransportSettings(String host, int port, long maxMessageBytes, Duration pingInterval,
                                    Set<String> allowedOrigins, java.util.List<String> tokens, boolean acceptClients) {
        /** A server that accepts WebSocket clients. */
        public TransportSettings(String host, int port, long maxMessageBytes, Duration pingInterval,
                                 Set<String> allowedOrigins, java.util.List<String> tokens) {
            this(host, port, maxMessageBytes, pingInterval, allowedOrigins, tokens, true);
        }
    }
}
