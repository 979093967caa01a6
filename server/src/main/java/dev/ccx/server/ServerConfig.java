// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server;

import dev.ccx.server.cluster.ClusterSettings;
import dev.ccx.server.exec.CommandPolicy;
import dev.ccx.server.process.Engines;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every server setting, with every default in {@link Builder}. Validated when built: a bad value fails start-up with
 * a message naming the setting, nothing is clamped silently.
 *
 * @param host                   address to bind
 * @param port                   port; 0 picks a free one
 * @param tokens                 tokens accepted on the upgrade request (empty: none required); each is its own
 *                               credentials: executions are visible only to connections with the same token
 * @param allowedOrigins         browser origins allowed to connect
 * @param maxSessions            connections at once
 * @param maxProcesses           executions at once, server-wide
 * @param maxProcessesPerSession executions at once per connection
 * @param maxMessageBytes        largest inbound message
 * @param maxLineBytes           longest output line delivered whole
 * @param shell                  shell for command strings
 * @param allowedCommands        programs allowed to run; empty for all
 * @param killGrace              SIGTERM-to-SIGKILL grace period
 * @param pingInterval           heartbeat period
 * @param sendTimeout            how long output may wait for a client that reads nothing before it is disconnected
 * @param outboundBytes          bytes queued per connection before output waits for the client
 * @param stateDir               where running process groups (and the embedded timing history) are kept
 * @param redisUrl               Redis for timing history, or {@code null} for the embedded store only
 * @param redisTimeout           the most any Redis call may take before the embedded store answers instead
 * @param redisPrefix            key prefix of the timing history in Redis
 * @param predictTimeouts        whether an execute without timeout gets one predicted from history
 * @param spawner                which process engine to use: auto, native or jdk
 * @param logMemoryBytes         per execution: bytes of recent output kept in memory before older output spills
 *                               to disk
 * @param logMaxBytes            per execution: bytes of output kept on disk at most
 * @param logTotalBytes          all executions: bytes of output kept on disk at most
 * @param linger                 how long a kept execution runs with nobody attached, by default
 * @param maxLinger              the longest linger a client may ask for
 * @param retain                 how long an ended execution stays listable and replayable
 * @param maxRetained            ended executions kept at most
 * @param retainBytes            disk the logs of ended executions may hold together
 * @param stdinTimeout           how long a {@code stdin} request waits for the process to read
 * @param auditLog               the audit log file, or {@code null} for none
 * @param auditMaxFileBytes      the size at which the audit log is rotated (it is also rotated daily)
 * @param auditKeepDays          days of rotated audit logs kept
 * @param cluster                the cluster this server is a node of ({@code --cluster}), or {@code null}
 */
public record ServerConfig(String host, int port, List<String> tokens, Set<String> allowedOrigins, int maxSessions,
                           int maxProcesses, int maxProcessesPerSession, long maxMessageBytes, int maxLineBytes,
                           String shell, Set<String> allowedCommands, Duration killGrace, Duration pingInterval,
                           Duration sendTimeout, int outboundBytes, Path stateDir, String redisUrl,
                           Duration redisTimeout, String redisPrefix, boolean predictTimeouts, Engines.Choice spawner,
                           long logMemoryBytes, long logMaxBytes, long logTotalBytes, Duration linger,
                           Duration maxLinger, Duration retain, int maxRetained, long retainBytes,
                           Duration stdinTimeout, Path auditLog, long auditMaxFileBytes, int auditKeepDays,
                           ClusterSettings cluster) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8003;
    public static final int DEFAULT_MAX_SESSIONS = 100;
    public static final int DEFAULT_MAX_PROCESSES = 100;
    public static final int DEFAULT_MAX_PROCESSES_PER_SESSION = 1;
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
    public static final double DEFAULT_KILL_GRACE_SECONDS = 2.0;
    public static final double DEFAULT_PING_INTERVAL_SECONDS = 30.0;
    public static final double DEFAULT_SEND_TIMEOUT_SECONDS = 60.0;
    public static final int DEFAULT_OUTBOUND_BYTES = 256 * 1024;
    public static final long DEFAULT_LOG_MEMORY_BYTES = 512 * 1024;
    public static final long DEFAULT_LOG_MAX_BYTES = 1L << 30;
    public static final long DEFAULT_LOG_TOTAL_BYTES = 8L << 30;
    public static final double DEFAULT_LINGER_SECONDS = 3600;
    public static final double DEFAULT_MAX_LINGER_SECONDS = 86_400;
    public static final double DEFAULT_RETAIN_SECONDS = 3600;
    public static final int DEFAULT_MAX_RETAINED = 1000;
    public static final long DEFAULT_RETAIN_BYTES = 1L << 30;
    public static final double DEFAULT_STDIN_TIMEOUT_SECONDS = 30;
    public static final long DEFAULT_AUDIT_MAX_FILE_BYTES = 100L << 20;
    public static final int DEFAULT_AUDIT_KEEP_DAYS = 30;
    public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
    public static final long DEFAULT_REDIS_TIMEOUT_MS = 250;
    public static final String DEFAULT_REDIS_PREFIX = "cc_executor:times";

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private List<String> tokens = List.of();
        private Set<String> allowedOrigins = Set.of();
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private int maxProcesses = DEFAULT_MAX_PROCESSES;
        private int maxProcessesPerSession = DEFAULT_MAX_PROCESSES_PER_SESSION;
        private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private String shell = CommandPolicy.resolveShell(null);
        private Set<String> allowedCommands = Set.of();
        private Duration killGrace = seconds(DEFAULT_KILL_GRACE_SECONDS);
        private Duration pingInterval = seconds(DEFAULT_PING_INTERVAL_SECONDS);
        private Duration sendTimeout = seconds(DEFAULT_SEND_TIMEOUT_SECONDS);
        private int outboundBytes = DEFAULT_OUTBOUND_BYTES;
        private Path stateDir = defaultStateDir(System.getenv());
        private String redisUrl;
        private Duration redisTimeout = Duration.ofMillis(DEFAULT_REDIS_TIMEOUT_MS);
        private String redisPrefix = DEFAULT_REDIS_PREFIX;
        private boolean predictTimeouts = true;
        private Engines.Choice spawner = Engines.Choice.AUTO;
        private long logMemoryBytes = DEFAULT_LOG_MEMORY_BYTES;
        private long logMaxBytes = DEFAULT_LOG_MAX_BYTES;
        private long logTotalBytes = DEFAULT_LOG_TOTAL_BYTES;
        private Duration linger = seconds(DEFAULT_LINGER_SECONDS);
        private Duration maxLinger = seconds(DEFAULT_MAX_LINGER_SECONDS);
        private Duration retain = seconds(DEFAULT_RETAIN_SECONDS);
        private int maxRetained = DEFAULT_MAX_RETAINED;
        private long retainBytes = DEFAULT_RETAIN_BYTES;
        private Duration stdinTimeout = seconds(DEFAULT_STDIN_TIMEOUT_SECONDS);
        private Path auditLog;
        private long auditMaxFileBytes = DEFAULT_AUDIT_MAX_FILE_BYTES;
        private int auditKeepDays = DEFAULT_AUDIT_KEEP_DAYS;
        private String clusterUrl;
        private String nodeId;
        private ClusterSettings.Role role = ClusterSettings.Role.BOTH;
        private List<String> labels = List.of();
        private String advertise;
        private boolean clusterFallbackLocal;
        private String clusterPrefix = ClusterSettings.DEFAULT_PREFIX;
        private Duration lease = ClusterSettings.DEFAULT_LEASE;

        private Builder() {
        }

        /**
         * Applies the environment variables ccx reads (the original's names where it had one): CCX_HOST,
         * CCX_PORT (or DEFAULT_PORT), CCX_TOKEN, CCX_ALLOWED_ORIGINS, MAX_SESSIONS, CCX_MAX_PROCESSES,
         * CCX_MAX_PROCESSES_PER_SESSION, WS_MAX_SIZE, MAX_BUFFER_SIZE, CC_EXECUTOR_SHELL, ALLOWED_COMMANDS,
         * CCX_KILL_GRACE, WEBSOCKET_HEARTBEAT_INTERVAL, CCX_STATE_DIR, REDIS_URL, CCX_REDIS_TIMEOUT_MS,
         * CCX_REDIS_PREFIX, CCX_PREDICT_TIMEOUTS, CCX_SPAWNER, CCX_LOG_MEMORY, CCX_LOG_MAX, CCX_LOG_TOTAL,
         * CCX_LINGER, CCX_MAX_LINGER, CCX_RETAIN, CCX_MAX_RETAINED, CCX_RETAIN_BYTES, CCX_STDIN_TIMEOUT,
         * CCX_AUDIT_LOG, CCX_AUDIT_MAX_FILE, CCX_AUDIT_KEEP_DAYS.
         */
        public Builder environment(Map<String, String> env) {
            host = env.getOrDefault("CCX_HOST", host);
            port = intOf(env, "CCX_PORT", intOf(env, "DEFAULT_PORT", port));
            String envToken = blankToNull(env.get("CCX_TOKEN"));
            if (envToken != null) {
                tokens = List.of(envToken);
            }
            if (env.containsKey("CCX_ALLOWED_ORIGINS")) {
                allowedOrigins = CommandPolicy.parseAllowList(env.get("CCX_ALLOWED_ORIGINS"));
            }
            maxSessions = intOf(env, "MAX_SESSIONS", maxSessions);
            maxProcesses = intOf(env, "CCX_MAX_PROCESSES", maxProcesses);
            maxProcessesPerSession = intOf(env, "CCX_MAX_PROCESSES_PER_SESSION", maxProcessesPerSession);
            maxMessageBytes = intOf(env, "WS_MAX_SIZE", (int) Math.min(Integer.MAX_VALUE, maxMessageBytes));
            maxLineBytes = intOf(env, "MAX_BUFFER_SIZE", maxLineBytes);
            if (env.containsKey("CC_EXECUTOR_SHELL")) {
                shell = CommandPolicy.resolveShell(env.get("CC_EXECUTOR_SHELL"));
            }
            allowedCommands = CommandPolicy.parseAllowList(env.getOrDefault("ALLOWED_COMMANDS", ""));
            if (env.containsKey("CCX_KILL_GRACE")) {
                killGrace = seconds(doubleOf(env, "CCX_KILL_GRACE"));
            }
            if (env.containsKey("WEBSOCKET_HEARTBEAT_INTERVAL")) {
                pingInterval = seconds(doubleOf(env, "WEBSOCKET_HEARTBEAT_INTERVAL"));
            }
            stateDir = defaultStateDir(env);
            redisUrl = blankToNull(env.getOrDefault("REDIS_URL", redisUrl));
            if (env.containsKey("CCX_REDIS_TIMEOUT_MS")) {
                redisTimeout = Duration.ofMillis(intOf(env, "CCX_REDIS_TIMEOUT_MS", 0));
            }
            redisPrefix = env.getOrDefault("CCX_REDIS_PREFIX", redisPrefix);
            if (env.containsKey("CCX_PREDICT_TIMEOUTS")) {
                predictTimeouts = Boolean.parseBoolean(env.get("CCX_PREDICT_TIMEOUTS").strip());
            }
            if (env.containsKey("CCX_SPAWNER")) {
                spawner = Engines.Choice.parse(env.get("CCX_SPAWNER"));
            }
            logMemoryBytes = bytesOf(env, "CCX_LOG_MEMORY", logMemoryBytes);
            logMaxBytes = bytesOf(env, "CCX_LOG_MAX", logMaxBytes);
            logTotalBytes = bytesOf(env, "CCX_LOG_TOTAL", logTotalBytes);
            linger = env.containsKey("CCX_LINGER") ? seconds(doubleOf(env, "CCX_LINGER")) : linger;
            maxLinger = env.containsKey("CCX_MAX_LINGER") ? seconds(doubleOf(env, "CCX_MAX_LINGER")) : maxLinger;
            retain = env.containsKey("CCX_RETAIN") ? seconds(doubleOf(env, "CCX_RETAIN")) : retain;
            maxRetained = intOf(env, "CCX_MAX_RETAINED", maxRetained);
            retainBytes = bytesOf(env, "CCX_RETAIN_BYTES", retainBytes);
            stdinTimeout = env.containsKey("CCX_STDIN_TIMEOUT") ? seconds(doubleOf(env, "CCX_STDIN_TIMEOUT"))
                    : stdinTimeout;
            String audit = blankToNull(env.get("CCX_AUDIT_LOG"));
            auditLog = audit == null ? auditLog : Path.of(audit);
            auditMaxFileBytes = bytesOf(env, "CCX_AUDIT_MAX_FILE", auditMaxFileBytes);
            auditKeepDays = intOf(env, "CCX_AUDIT_KEEP_DAYS", auditKeepDays);
            clusterUrl = blankToNull(env.getOrDefault("CCX_CLUSTER", clusterUrl));
            nodeId = blankToNull(env.getOrDefault("CCX_NODE_ID", nodeId));
            if (blankToNull(env.get("CCX_ROLE")) != null) {
                role = ClusterSettings.Role.parse(env.get("CCX_ROLE"));
            }
            if (blankToNull(env.get("CCX_LABELS")) != null) {
                labels = java.util.Arrays.stream(env.get("CCX_LABELS").split(",")).map(String::strip)
                        .filter(l -> !l.isEmpty()).toList();
            }
            advertise = blankToNull(env.getOrDefault("CCX_ADVERTISE", advertise));
            if (blankToNull(env.get("CCX_CLUSTER_FALLBACK")) != null) {
                clusterFallback(env.get("CCX_CLUSTER_FALLBACK"));
            }
            clusterPrefix = env.getOrDefault("CCX_CLUSTER_PREFIX", clusterPrefix);
            lease = env.containsKey("CCX_LEASE") ? seconds(doubleOf(env, "CCX_LEASE")) : lease;
            return this;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder token(String v) { tokens = blankToNull(v) == null ? List.of() : List.of(v); return this; }
        public Builder tokens(List<String> v) { tokens = List.copyOf(v); return this; }
        public Builder allowedOrigins(Set<String> v) { allowedOrigins = Set.copyOf(v); return this; }
        public Builder maxSessions(int v) { maxSessions = v; return this; }
        public Builder maxProcesses(int v) { maxProcesses = v; return this; }
        public Builder maxProcessesPerSession(int v) { maxProcessesPerSession = v; return this; }
        public Builder maxMessageBytes(long v) { maxMessageBytes = v; return this; }
        public Builder maxLineBytes(int v) { maxLineBytes = v; return this; }
        public Builder shell(String v) { shell = CommandPolicy.resolveShell(v); return this; }
        public Builder allowedCommands(Set<String> v) { allowedCommands = Set.copyOf(v); return this; }
        public Builder killGrace(Duration v) { killGrace = v; return this; }
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder sendTimeout(Duration v) { sendTimeout = v; return this; }
        public Builder outboundBytes(int v) { outboundBytes = v; return this; }
        public Builder stateDir(Path v) { stateDir = v; return this; }
        public Builder redisUrl(String v) { redisUrl = blankToNull(v); return this; }
        public Builder redisTimeout(Duration v) { redisTimeout = v; return this; }
        public Builder redisPrefix(String v) { redisPrefix = v; return this; }
        public Builder predictTimeouts(boolean v) { predictTimeouts = v; return this; }
        public Builder spawner(Engines.Choice v) { spawner = v; return this; }
        public Builder logMemoryBytes(long v) { logMemoryBytes = v; return this; }
        public Builder logMaxBytes(long v) { logMaxBytes = v; return this; }
        public Builder logTotalBytes(long v) { logTotalBytes = v; return this; }
        public Builder linger(Duration v) { linger = v; return this; }
        public Builder maxLinger(Duration v) { maxLinger = v; return this; }
        public Builder retain(Duration v) { retain = v; return this; }
        public Builder maxRetained(int v) { maxRetained = v; return this; }
        public Builder retainBytes(long v) { retainBytes = v; return this; }
        public Builder stdinTimeout(Duration v) { stdinTimeout = v; return this; }
        public Builder auditLog(Path v) { auditLog = v; return this; }
        public Builder auditMaxFileBytes(long v) { auditMaxFileBytes = v; return this; }
        public Builder auditKeepDays(int v) { auditKeepDays = v; return this; }
        public Builder cluster(String v) { clusterUrl = blankToNull(v); return this; }
        public Builder nodeId(String v) { nodeId = blankToNull(v); return this; }
        public Builder role(ClusterSettings.Role v) { role = v; return this; }
        public Builder labels(List<String> v) { labels = List.copyOf(v); return this; }
        public Builder advertise(String v) { advertise = blankToNull(v); return this; }
        public Builder clusterPrefix(String v) { clusterPrefix = v; return this; }
        public Builder lease(Duration v) { lease = v; return this; }

        /** {@code local}: with Redis away, run new executions here; {@code fail} (the default): refuse them. */
        public Builder clusterFallback(String v) {
            switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "local" -> clusterFallbackLocal = true;
                case "fail" -> clusterFallbackLocal = false;
                default -> throw new IllegalArgumentException("cluster_fallback: " + v + " (expected: local or fail)");
            }
            return this;
        }

        /** Validates and builds. */
        public ServerConfig build() {
            require(port >= 0 && port <= 65_535, "port", port, "0..65535");
            require(maxSessions >= 1, "max_sessions", maxSessions, ">= 1");
            require(maxProcesses >= 1, "max_processes", maxProcesses, ">= 1");
            require(maxProcessesPerSession >= 1, "max_processes_per_session", maxProcessesPerSession, ">= 1");
            require(maxMessageBytes >= 1024, "max_message_bytes", maxMessageBytes, ">= 1024");
            require(maxLineBytes >= 1024, "max_line_bytes", maxLineBytes, ">= 1024");
            require(!killGrace.isNegative(), "kill_grace", killGrace, ">= 0");
            require(pingInterval.toMillis() >= 100, "ping_interval", pingInterval, ">= 0.1s");
            require(sendTimeout.toMillis() >= 100, "send_timeout", sendTimeout, ">= 0.1s");
            require(outboundBytes >= 65_536, "outbound_bytes", outboundBytes, ">= 65536");
            require(redisTimeout.toMillis() >= 10, "redis_timeout", redisTimeout, ">= 10 ms");
            require(redisUrl == null || redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://"),
                    "redis_url", redisUrl, "redis://HOST:PORT[/DB]");
            require(!redisPrefix.isBlank(), "redis_prefix", redisPrefix, "not blank");
            require(logMemoryBytes >= 65_536, "log_memory", logMemoryBytes, ">= 64 KiB");
            require(logMaxBytes >= Math.max(logMemoryBytes, 1 << 20), "log_max", logMaxBytes,
                    ">= 1 MiB and >= log_memory");
            require(logTotalBytes >= logMaxBytes, "log_total", logTotalBytes, ">= log_max");
            require(linger.toMillis() >= 100, "linger", linger, ">= 0.1s");
            require(linger.compareTo(maxLinger) <= 0, "linger", linger, "<= max_linger (" + maxLinger + ")");
            require(!retain.isNegative(), "retain", retain, ">= 0");
            require(maxRetained >= 0, "max_retained", maxRetained, ">= 0");
            require(retainBytes >= 0, "retain_bytes", retainBytes, ">= 0");
            require(stdinTimeout.toMillis() >= 10, "stdin_timeout", stdinTimeout, ">= 0.01s");
            require(auditMaxFileBytes >= 1 << 20, "audit_max_file", auditMaxFileBytes, ">= 1 MiB");
            require(auditKeepDays >= 1, "audit_keep_days", auditKeepDays, ">= 1");
            require(tokens.stream().noneMatch(String::isBlank), "token", tokens, "not blank");
            if (tokens.isEmpty() && !isLoopback(host)) {
                throw new IllegalArgumentException("Binding to " + host + " exposes command execution beyond this "
                        + "machine; set a token with --token or CCX_TOKEN (or bind to 127.0.0.1)");
            }
            return new ServerConfig(host, port, tokens, allowedOrigins, maxSessions, maxProcesses,
                    maxProcessesPerSession, maxMessageBytes, maxLineBytes, shell, allowedCommands, killGrace,
                    pingInterval, sendTimeout, outboundBytes, stateDir, redisUrl, redisTimeout, redisPrefix,
                    predictTimeouts, spawner, logMemoryBytes, logMaxBytes, logTotalBytes, linger, maxLinger, retain,
                    maxRetained, retainBytes, stdinTimeout, auditLog, auditMaxFileBytes, auditKeepDays,
                    clusterUrl == null ? null : new ClusterSettings(clusterUrl, nodeId != null ? nodeId
                            : defaultNodeId(), role, labels, advertise, clusterFallbackLocal, clusterPrefix, lease,
                            ClusterSettings.DEFAULT_HEARTBEAT, ClusterSettings.DEFAULT_TIMEOUT));
        }
    }

    /** The ws:// URL clients use for this config's address and {@code boundPort}. */
    public String url(int boundPort) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "ws://" + h + ":" + boundPort + dev.ccx.protocol.Wire.PATH;
    }

    /** The host name and six random hex digits: unique, and readable in logs. */
    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "-");
        host = host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0)) ? "node" : host;
        byte[] r = new byte[3];
        new java.security.SecureRandom().nextBytes(r);
        return (host.length() > 48 ? host.substring(0, 48) : host) + "-" + java.util.HexFormat.of().formatHex(r);
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host: cannot resolve " + host, e);
        }
    }

    private static Path defaultStateDir(Map<String, String> env) {
        String explicit = env.get("CCX_STATE_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("ccx");
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }

    private static int intOf(Map<String, String> env, String key, int fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": \"" + v + "\" is not a whole number");
        }
    }

    /** A size in bytes: a whole number, optionally with a K, M, G or T suffix (powers of 1024). */
    static long parseBytes(String name, String value) {
        String v = value.strip().toUpperCase(java.util.Locale.ROOT);
        if (v.endsWith("IB")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        int shift = 0;
        if (!v.isEmpty() && "KMGT".indexOf(v.charAt(v.length() - 1)) >= 0) {
            shift = 10 * ("KMGT".indexOf(v.charAt(v.length() - 1)) + 1);
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": \"" + value + "\" is not a size (a whole number of bytes, "
                    + "or with K, M, G or T)");
        }
    }

    private static long bytesOf(Map<String, String> env, String key, long fallback) {
        String v = env.get(key);
        return v == null || v.isBlank() ? fallback : parseBytes(key, v);
    }

    private static double doubleOf(Map<String, String> env, String key) {
        try {
            return Double.parseDouble(env.get(key).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": \"" + env.get(key) + "\" is not a number of seconds");
        }
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
