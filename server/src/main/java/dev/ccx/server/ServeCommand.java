// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server;

import dev.ccx.server.cluster.ClusterSettings;
import ch.qos.logback.classic.Level;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.process.Engines;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ccx serve}: runs the server until SIGTERM or SIGINT. Options override environment variables, which
 * override the defaults in {@link ServerConfig}. Prints one line, {@code ccx listening on URL}, to stdout once
 * ready, so scripts (and tests) can wait for it and learn the port when {@code --port 0} was given.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = ServeCommand.Version.class,
        description = "Run the ccx WebSocket server (JSON-RPC 2.0 on ws://HOST:PORT/ws/mcp).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"143:stopped by SIGTERM (130 by SIGINT), after ending every process group",
                        "1:could not start (the message says why)", "2:invalid option or setting"})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Address to bind (env CCX_HOST; default " + ServerConfig.DEFAULT_HOST
            + "). Anything but loopback requires --token.")
    String host;

    @Option(names = "--port", description = "Port, 0 for any free one (env CCX_PORT or DEFAULT_PORT; default "
            + ServerConfig.DEFAULT_PORT + ").")
    Integer port;

    @Option(names = "--token", description = "Token clients must present (env CCX_TOKEN); repeatable: each token is "
            + "its own credentials, and sees only the executions started with it.")
    List<String> tokens;

    @Option(names = "--allowed-origin", description = "Browser Origin allowed to connect; repeatable, * for any "
            + "(env CCX_ALLOWED_ORIGINS, comma-separated; default none).")
    List<String> allowedOrigins;

    @Option(names = "--max-sessions", description = "Connections at once (env MAX_SESSIONS; default "
            + ServerConfig.DEFAULT_MAX_SESSIONS + ").")
    Integer maxSessions;

    @Option(names = "--max-processes", description = "Executions at once, server-wide (env CCX_MAX_PROCESSES; "
            + "default " + ServerConfig.DEFAULT_MAX_PROCESSES + ").")
    Integer maxProcesses;

    @Option(names = "--max-processes-per-session", description = "Executions at once per connection (env "
            + "CCX_MAX_PROCESSES_PER_SESSION; default " + ServerConfig.DEFAULT_MAX_PROCESSES_PER_SESSION + ").")
    Integer maxProcessesPerSession;

    @Option(names = "--max-message-size", description = "Largest inbound message in bytes; larger ones close the "
            + "connection with 1009 (env WS_MAX_SIZE; default " + ServerConfig.DEFAULT_MAX_MESSAGE_BYTES + ").")
    Long maxMessageBytes;

    @Option(names = "--max-line", description = "Longest output line delivered whole, in bytes; longer lines are "
            + "split and marked truncated (env MAX_BUFFER_SIZE; default " + ServerConfig.DEFAULT_MAX_LINE_BYTES + ").")
    Integer maxLineBytes;

    @Option(names = "--shell", description = "Shell for command strings: bash, zsh, sh or a path (env "
            + "CC_EXECUTOR_SHELL; default bash, else /bin/sh).")
    String shell;

    @Option(names = "--allowed-command", description = "Program allowed to run; repeatable. When any is set, "
            + "shell syntax is refused (env ALLOWED_COMMANDS, comma-separated; default: all allowed).")
    List<String> allowedCommands;

    @Option(names = "--kill-grace", description = "Seconds between SIGTERM and SIGKILL (env CCX_KILL_GRACE; "
            + "default " + ServerConfig.DEFAULT_KILL_GRACE_SECONDS + ").")
    Double killGrace;

    @Option(names = "--ping-interval", description = "Heartbeat period in seconds (env "
            + "WEBSOCKET_HEARTBEAT_INTERVAL; default " + ServerConfig.DEFAULT_PING_INTERVAL_SECONDS + ").")
    Double pingInterval;

    @Option(names = "--send-timeout", description = "Seconds output may wait for a client that reads nothing "
            + "before it is disconnected (default " + ServerConfig.DEFAULT_SEND_TIMEOUT_SECONDS + ").")
    Double sendTimeout;

    @Option(names = "--state-dir", description = "Where running process groups are recorded, so a restart after "
            + "a crash ends them (env CCX_STATE_DIR; default $XDG_STATE_HOME/ccx or ~/.local/state/ccx).")
    Path stateDir;

    @Option(names = "--redis", description = "Keep timing history in Redis at " + ServerConfig.DEFAULT_REDIS_URL
            + " (or --redis-url); without it, or while Redis fails, the embedded store in --state-dir is used.")
    boolean redis;

    @Option(names = "--redis-url", description = "Keep timing history in this Redis, redis://HOST:PORT[/DB] "
            + "(env REDIS_URL).")
    String redisUrl;

    @Option(names = "--redis-timeout", description = "Milliseconds any Redis call may take before the embedded store"
            + " answers instead (env CCX_REDIS_TIMEOUT_MS; default " + ServerConfig.DEFAULT_REDIS_TIMEOUT_MS + ").")
    Long redisTimeoutMs;

    @Option(names = "--redis-prefix", description = "Key prefix of the timing history (env CCX_REDIS_PREFIX; "
            + "default " + ServerConfig.DEFAULT_REDIS_PREFIX + ", the original's).")
    String redisPrefix;

    @Option(names = "--predict-timeouts", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Give an execute without timeout a deadline predicted from history (env "
                    + "CCX_PREDICT_TIMEOUTS; default true). --no-predict-timeouts runs such commands unbounded.")
    boolean predictTimeouts;

    @Option(names = "--spawner", description = "How processes are started: auto, native (posix_spawn through FFM, "
            + "pidfd, epoll) or jdk (ProcessBuilder + setsid). auto uses native when a start-up self-test passes "
            + "(env CCX_SPAWNER; default auto).")
    String spawner;

    @Option(names = "--log-memory", description = "Per execution: output kept in memory before older output "
            + "spills to --state-dir; bytes, or with K, M, G (env CCX_LOG_MEMORY; default 512K).")
    String logMemory;

    @Option(names = "--log-max", description = "Per execution: output kept on disk at most (env CCX_LOG_MAX; "
            + "default 1G). A client further behind than memory and disk together holds its process back.")
    String logMax;

    @Option(names = "--log-total", description = "All executions: output kept on disk at most (env CCX_LOG_TOTAL; "
            + "default 8G).")
    String logTotal;

    @Option(names = "--linger", description = "Seconds a kept execution (on_disconnect: keep) runs with no "
            + "connection following it before it ends as abandoned, when execute gives no linger (env CCX_LINGER; "
            + "default " + ServerConfig.DEFAULT_LINGER_SECONDS + ").")
    Double linger;

    @Option(names = "--max-linger", description = "The longest linger a client may ask for (env CCX_MAX_LINGER; "
            + "default " + ServerConfig.DEFAULT_MAX_LINGER_SECONDS + ").")
    Double maxLinger;

    @Option(names = "--retain", description = "Seconds an ended execution stays listable and replayable (env "
            + "CCX_RETAIN; default " + ServerConfig.DEFAULT_RETAIN_SECONDS + ").")
    Double retain;

    @Option(names = "--max-retained", description = "Ended executions kept at most, the oldest goes first (env "
            + "CCX_MAX_RETAINED; default " + ServerConfig.DEFAULT_MAX_RETAINED + ").")
    Integer maxRetained;

    @Option(names = "--retain-bytes", description = "Disk the output logs of ended executions may hold together; "
            + "past it the one that ended first goes (env CCX_RETAIN_BYTES; default 1G).")
    String retainBytes;

    @Option(names = "--stdin-timeout", description = "Seconds a stdin request waits for the process to read before "
            + "it fails (env CCX_STDIN_TIMEOUT; default " + ServerConfig.DEFAULT_STDIN_TIMEOUT_SECONDS + ").")
    Double stdinTimeout;

    @Option(names = "--audit-log", description = "Write one JSON line per execution and per refused request or "
            + "connection to this file, rotated daily and by size (env CCX_AUDIT_LOG; default none).")
    Path auditLog;

    @Option(names = "--audit-max-file", description = "Size at which the audit log is rotated; bytes, or with K, M, "
            + "G (env CCX_AUDIT_MAX_FILE; default 100M).")
    String auditMaxFile;

    @Option(names = "--audit-keep-days", description = "Days of rotated audit logs kept, compressed (env "
            + "CCX_AUDIT_KEEP_DAYS; default " + ServerConfig.DEFAULT_AUDIT_KEEP_DAYS + ").")
    Integer auditKeepDays;

    @Option(names = "--cluster", description = "Be a node of the cluster on this Redis, redis://HOST:PORT[/DB] "
            + "(env CCX_CLUSTER; default none: a single server). See docs/cluster.md.")
    String cluster;

    @Option(names = "--role", description = "Cluster: gateway (accepts clients, runs nothing), worker (runs what "
            + "others place, accepts no clients) or both (env CCX_ROLE; default both).")
    String role;

    @Option(names = "--label", description = "Cluster: a label executions can require; repeatable (env CCX_LABELS, "
            + "comma-separated).")
    List<String> labels;

    @Option(names = "--node-id", description = "Cluster: this node's id (env CCX_NODE_ID; default host name and a "
            + "random suffix).")
    String nodeId;

    @Option(names = "--advertise", description = "Cluster: the WebSocket URL other nodes and clients reach this node "
            + "at (env CCX_ADVERTISE; default the one it listens on).")
    String advertise;

    @Option(names = "--cluster-fallback", description = "Cluster: with Redis unreachable, fail new executions (fail) "
            + "or run them on this node only (local) (env CCX_CLUSTER_FALLBACK; default fail).")
    String clusterFallback;

    @Option(names = "--cluster-prefix", description = "Cluster: prefix of every key (env CCX_CLUSTER_PREFIX; "
            + "default " + ClusterSettings.DEFAULT_PREFIX + ").")
    String clusterPrefix;

    @Option(names = "--lease", description = "Cluster: seconds a worker's lease on a running execution lasts "
            + "unrenewed; a lost worker's executions end within it plus 5 s (env CCX_LEASE; default 10).")
    Double lease;

    @Option(names = "--log-level", description = "TRACE, DEBUG, INFO, WARN or ERROR (env LOG_LEVEL; default INFO).")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        setLogLevel(logLevel != null ? logLevel : System.getenv().getOrDefault("LOG_LEVEL", "INFO"));
        ServerConfig config;
        try {
            config = configure(ServerConfig.builder().environment(System.getenv())).build();
        } catch (IllegalArgumentException e) {
            System.err.println("ccx serve: " + e.getMessage());
            return 2;
        }
        ExecServer server;
        try {
            server = ExecServer.start(config);
        } catch (Exception e) {
            System.err.println("ccx serve: cannot start on " + config.host() + ":" + config.port() + ": " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Threads.platform("shutdown").newThread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(ServeCommand.class).warn("shutdown: {}", e.toString());
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("ccx listening on " + server.url());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private ServerConfig.Builder configure(ServerConfig.Builder b) {
        if (host != null) b.host(host);
        if (port != null) b.port(port);
        if (tokens != null) b.tokens(tokens);
        if (allowedOrigins != null) b.allowedOrigins(Set.copyOf(allowedOrigins));
        if (maxSessions != null) b.maxSessions(maxSessions);
        if (maxProcesses != null) b.maxProcesses(maxProcesses);
        if (maxProcessesPerSession != null) b.maxProcessesPerSession(maxProcessesPerSession);
        if (maxMessageBytes != null) b.maxMessageBytes(maxMessageBytes);
        if (maxLineBytes != null) b.maxLineBytes(maxLineBytes);
        if (shell != null) b.shell(shell);
        if (allowedCommands != null) b.allowedCommands(Set.copyOf(allowedCommands));
        if (killGrace != null) b.killGrace(ServerConfig.seconds(killGrace));
        if (pingInterval != null) b.pingInterval(ServerConfig.seconds(pingInterval));
        if (sendTimeout != null) b.sendTimeout(ServerConfig.seconds(sendTimeout));
        if (stateDir != null) b.stateDir(stateDir);
        if (redis) b.redisUrl(ServerConfig.DEFAULT_REDIS_URL);
        if (redisUrl != null) b.redisUrl(redisUrl);
        if (redisTimeoutMs != null) b.redisTimeout(java.time.Duration.ofMillis(redisTimeoutMs));
        if (redisPrefix != null) b.redisPrefix(redisPrefix);
        if (!predictTimeouts) b.predictTimeouts(false);
        if (spawner != null) b.spawner(Engines.Choice.parse(spawner));
        if (logMemory != null) b.logMemoryBytes(ServerConfig.parseBytes("--log-memory", logMemory));
        if (logMax != null) b.logMaxBytes(ServerConfig.parseBytes("--log-max", logMax));
        if (logTotal != null) b.logTotalBytes(ServerConfig.parseBytes("--log-total", logTotal));
        if (linger != null) b.linger(ServerConfig.seconds(linger));
        if (maxLinger != null) b.maxLinger(ServerConfig.seconds(maxLinger));
        if (retain != null) b.retain(ServerConfig.seconds(retain));
        if (maxRetained != null) b.maxRetained(maxRetained);
        if (retainBytes != null) b.retainBytes(ServerConfig.parseBytes("--retain-bytes", retainBytes));
        if (stdinTimeout != null) b.stdinTimeout(ServerConfig.seconds(stdinTimeout));
        if (auditLog != null) b.auditLog(auditLog);
        if (auditMaxFile != null) b.auditMaxFileBytes(ServerConfig.parseBytes("--audit-max-file", auditMaxFile));
        if (auditKeepDays != null) b.auditKeepDays(auditKeepDays);
        if (cluster != null) b.cluster(cluster);
        if (role != null) b.role(ClusterSettings.Role.parse(role));
        if (labels != null) b.labels(labels);
        if (nodeId != null) b.nodeId(nodeId);
        if (advertise != null) b.advertise(advertise);
        if (clusterFallback != null) b.clusterFallback(clusterFallback);
        if (clusterPrefix != null) b.clusterPrefix(clusterPrefix);
        if (lease != null) b.lease(ServerConfig.seconds(lease));
        return b;
    }

    private static void setLogLevel(String level) {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
    }

    /** Runs {@code serve} on its own: {@code java -cp ... dev.ccx.server.ServeCommand [options]}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }

    /** Reports the server version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ccx " + ExecServer.VERSION};
        }
    }

}
