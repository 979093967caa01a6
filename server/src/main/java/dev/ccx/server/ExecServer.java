// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server;

import dev.ccx.protocol.Connected;
import dev.ccx.server.exec.CommandPolicy;
import dev.ccx.server.exec.ExecutionService;
import dev.ccx.server.process.GroupLedger;
import dev.ccx.server.rpc.RpcDispatcher;
import dev.ccx.server.session.SessionHub;
import dev.ccx.server.session.SessionSettings;
import dev.ccx.server.transport.WsTransport;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: wires the parts together, starts them, and closes them in order.
 *
 * <p>{@link #close()}: stop accepting connections; end every execution (reason {@code shutdown}) and wait for their
 * {@code process.completed}, at most the kill grace plus 0.8 s; close every connection with 1001; stop Jetty.
 */
public final class ExecServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServer.class);
    /** The version reported in {@code connected} and {@code /health}. */
    public static final String VERSION = versionOf();

    private final ServerConfig config;
    private final ExecutionService executions;
    private final SessionHub hub;
    private final WsTransport transport;
    private final long startedNanos = System.nanoTime();

    private ExecServer(ServerConfig config) {
        this.config = config;
        CommandPolicy policy = new CommandPolicy(config.shell(), config.allowedCommands(), System.getenv(),
                Path.of("").toAbsolutePath());
        this.executions = new ExecutionService(policy, new GroupLedger(config.stateDir()), config.maxProcesses(),
                config.killGrace(), config.maxLineBytes());
        this.hub = new SessionHub(new SessionSettings(config.maxProcessesPerSession(), config.outboundBytes(),
                config.sendTimeout()), config.maxSessions(), config.pingInterval());
        RpcDispatcher dispatcher = new RpcDispatcher(executions, VERSION, new Connected.Limits(
                config.maxProcessesPerSession(), config.maxProcesses(), config.maxMessageBytes(),
                config.maxLineBytes()));
        this.transport = new WsTransport(new WsTransport.TransportSettings(config.host(), config.port(),
                config.maxMessageBytes(), config.pingInterval(), config.allowedOrigins(), config.token()),
                hub, dispatcher, this::health);
    }

    /** Builds and starts a server; ends leftovers of a previous run first. */
    public static ExecServer start(ServerConfig config) throws Exception {
        ExecServer server = new ExecServer(config);
        server.executions.endLeftovers();
        try {
            server.transport.start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        LOG.info("ccx {} listening on {} (shell {}, max {} sessions, {} processes)", VERSION,
                config.url(server.port()), config.shell(), config.maxSessions(), config.maxProcesses());
        return server;
    }

    /** The bound port. */
    public int port() {
        return transport.port();
    }

    /** The WebSocket URL of this server. */
    public String url() {
        return config.url(port());
    }

    /** The {@code /health} document. */
    public Health health() {
        return new Health("healthy", "ccx", VERSION, hub.activeCount(), hub.maxSessions(),
                executions.runningCount(), executions.maxProcesses(), (System.nanoTime() - startedNanos) / 1e9);
    }

    @Override
    public void close() throws Exception {
        transport.stopAccepting();
        executions.close();
        hub.closeAll(1001, "Server shutting down");
        hub.close();
        transport.close();
    }

    private static String versionOf() {
        String v = ExecServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    /**
     * The {@code /health} document.
     *
     * @param status           always {@code healthy} while the server answers
     * @param service          {@code ccx}
     * @param version          server version
     * @param activeSessions   open connections
     * @param maxSessions      connection limit
     * @param runningProcesses executions running
     * @param maxProcesses     execution limit
     * @param uptimeSeconds    seconds since start
     */
    public record Health(String status, String service, String version, int activeSessions, int maxSessions,
                         int runningProcesses, int maxProcesses, double uptimeSeconds) {
    }
}
