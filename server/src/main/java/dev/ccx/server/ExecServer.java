// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server;

import dev.ccx.protocol.Connected;
import dev.ccx.protocol.Health;
import dev.ccx.server.cluster.ClusterExecutions;
import dev.ccx.server.audit.AuditLog;
import dev.ccx.server.exec.CommandPolicy;
import dev.ccx.server.exec.ExecutionService;
import dev.ccx.server.exec.Retention;
import dev.ccx.server.log.LogStore;
import dev.ccx.server.metrics.ServerMetrics;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.process.Engines;
import dev.ccx.server.process.GroupLedger;
import dev.ccx.server.rpc.RpcDispatcher;
import dev.ccx.server.session.SessionHub;
import dev.ccx.server.session.SessionSettings;
import dev.ccx.server.timing.EmbeddedTimingStore;
import dev.ccx.server.timing.Estimator;
import dev.ccx.server.timing.FallbackTimingStore;
import dev.ccx.server.timing.LoadProbe;
import dev.ccx.server.timing.RedisTimingStore;
import dev.ccx.server.timing.TaskClassifier;
import dev.ccx.server.timing.TimingService;
import dev.ccx.server.timing.TimingStore;
import dev.ccx.server.transport.WsTransport;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: wires the parts together, starts them, and closes them in order.
 *
 * <p>{@link #close()}: stop accepting connections; end every execution (reason {@code shutdown}) and wait for their
 * {@code process.completed}, at most the kill grace plus 0.5 s, then kill whatever is left; let every connection's
 * writer send what its logs hold, at most 0.2 s, and close it with 1001; stop Jetty; drop the output logs; let the
 * last run records reach the timing store and close it; last, write what the audit log has queued (every
 * execution has been reported by then) and close it. In all, grace + 1 s at most, unless the audit log's disk is
 * slow (its writer gets at most 10 s more).
 */
public final class ExecServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServer.class);
    /** The version reported in {@code connected} and {@code /health}. */
    public static final String VERSION = versionOf();

    private final ServerConfig config;
    private final TimingService timing;
    private static final Duration CLOSE_DRAIN = Duration.ofMillis(200);

    private final ExecutionService executions;
    /** The cluster in front of {@link #executions}, or {@code null} on a single server. */
    private final ClusterExecutions cluster;
    private final LogStore logs;
    private final SessionHub hub;
    private final RpcDispatcher dispatcher;
    private final WsTransport transport;
    private final ServerMetrics metrics = new ServerMetrics();
    private final AuditLog audit;
    private final long startedNanos = System.nanoTime();

    private ExecServer(ServerConfig config) {
        this.config = config;
        this.audit = config.auditLog() == null ? null
                : new AuditLog(config.auditLog(), config.auditMaxFileBytes(), config.auditKeepDays());
        try {
            ServerObserver observer = audit == null ? metrics : ServerObserver.all(metrics, audit);
            CommandPolicy policy = new CommandPolicy(config.shell(), config.allowedCommands(), System.getenv(),
                    Path.of("").toAbsolutePath());
            this.timing = new TimingService(openStore(config), new TaskClassifier(), new Estimator(), new LoadProbe());
            this.logs = new LogStore(config.stateDir().resolve("logs"), new LogStore.Limits(
                    config.logMemoryBytes(), logMemoryInAll(config.logMemoryBytes()), config.logMaxBytes(),
                    config.logTotalBytes(), config.retainBytes()));
            this.executions = new ExecutionService(policy, timing, config.predictTimeouts(),
                    Engines.open(config.spawner()), logs, new GroupLedger(config.stateDir()),
                    config.maxProcesses(), config.killGrace(), config.maxLineBytes(), new Retention(config.linger(),
                    config.maxLinger(), config.retain(), config.maxRetained()), observer);
            this.cluster = config.cluster() == null ? null : new ClusterExecutions(executions, logs,
                    config.cluster(), VERSION, config.retain());
            this.hub = new SessionHub(new SessionSettings(config.maxProcessesPerSession(), config.outboundBytes(),
                    config.sendTimeout()), config.maxSessions(), config.pingInterval());
            this.dispatcher = new RpcDispatcher(cluster != null ? cluster : executions, timing, VERSION, new Connected.Limits(
                    config.maxProcessesPerSession(), config.maxProcesses(), config.maxMessageBytes(),
                    config.maxLineBytes()), config.stdinTimeout(), metrics.claude()::snapshot, observer);
            this.transport = new WsTransport(new WsTransport.TransportSettings(config.host(), config.port(),
                    config.maxMessageBytes(), config.pingInterval(), config.allowedOrigins(), config.tokens(),
                    config.cluster() == null || config.cluster().role().accepts()),
                    hub, dispatcher, this::health, metrics::scrape, observer);
        } catch (RuntimeException | Error e) {
            if (audit != null) {
                audit.close(); // its writer thread is ours; the rest failed to open
            }
            throw e;
        }
        watch();
    }

    /** The metrics that are states, read at each scrape. */
    private void watch() {
        metrics.gauge("ccx_executions_running", "Executions running now", executions::runningCount);
        metrics.gauge("ccx_max_processes", "Executions the server runs at once at most (--max-processes)",
                executions::maxProcesses);
        metrics.gauge("ccx_sessions", "WebSocket connections open now", hub::activeCount);
        metrics.gauge("ccx_max_sessions", "Connections admitted at once at most (--max-sessions)", hub::maxSessions);
        metrics.gauge("ccx_followers", "Connections following running executions (one per execution followed)",
                executions::followerCount);
        metrics.gauge("ccx_log_memory_bytes", "Output held in memory by the executions' logs", logs::memoryBytes);
        metrics.gauge("ccx_log_disk_bytes", "Output spilled to disk by the executions' logs", logs::diskBytes);
        metrics.gauge("ccx_timing_store_degraded", "1 while Redis is configured but the embedded store answers",
                () -> timing.degraded() ? 1 : 0);
        metrics.counter("ccx_timing_store_fallbacks", "Timing store calls the embedded store answered in Redis's "
                + "place", timing::fallbacks);
        if (cluster != null) {
            metrics.gauge("ccx_cluster_available", "1 while the cluster's Redis answers this node",
                    () -> cluster.health().available() ? 1 : 0);
            metrics.gauge("ccx_cluster_nodes", "Live nodes of the cluster as of this node's last heartbeat",
                    () -> cluster.health().nodes().size());
        }
        metrics.counter("ccx_audit_dropped", "Audit lines dropped because the audit queue was full",
                () -> audit == null ? 0 : audit.dropped());
        metrics.counter("ccx_audit_write_errors", "Errors writing or rotating the audit log file (a full disk)",
                () -> audit == null ? 0 : audit.writeErrors());
    }


    /** The embedded store alone, or Redis with the embedded store taking over whenever Redis fails. */
    private static TimingStore openStore(ServerConfig config) {
        Path dir = config.stateDir().resolve("timing");
        EmbeddedTimingStore embedded = new EmbeddedTimingStore(dir);
        // A cluster shares its timing history through its own Redis, unless another is named.
        String redis = config.redisUrl() != null ? config.redisUrl()
                : config.cluster() != null ? config.cluster().url() : null;
        if (redis == null) {
            return embedded;
        }
        return new FallbackTimingStore(RedisTimingStore.fromUrl(redis, config.redisPrefix(),
                config.redisTimeout()), embedded, dir);
    }

    /**
     * What the output logs may hold in memory together: an eighth of the heap, and room for at least four logs at
     * their own bound. Past it, logs spill sooner, so a hundred floods cannot fill the heap.
     */
    private static long logMemoryInAll(long perLog) {
        return Math.max(4 * perLog, Runtime.getRuntime().maxMemory() / 8);
    }

    /** Builds and starts a server; ends leftovers of a previous run first. */
    public static ExecServer start(ServerConfig config) throws Exception {
        ExecServer server = new ExecServer(config);
        server.executions.endLeftovers();
        try {
            server.transport.start();
            if (server.cluster != null) {
                server.cluster.start(server.url());
            }
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
                executions.runningCount(), executions.maxProcesses(), (System.nanoTime() - startedNanos) / 1e9,
                timing.storeName(), timing.degraded(), executions.engineName(),
                cluster == null ? null : cluster.health());
    }

    @Override
    public void close() throws Exception {
        try {
            transport.stopAccepting();
            executions.close();
            if (cluster != null) {
                cluster.close(); // after the ends, so that their streams are written (at most a second)
            }
            hub.closeAll(1001, "Server shutting down", CLOSE_DRAIN);
            hub.close();
            transport.close();
            dispatcher.close();
            logs.close();
            timing.close();
        } finally {
            if (audit != null) {
                audit.close(); // last: every execution has ended and been reported
            }
        }
    }

    private static String versionOf() {
        String v = ExecServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
