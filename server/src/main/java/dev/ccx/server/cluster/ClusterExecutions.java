// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.protocol.ClusterHealth;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.OnDisconnect;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.Wire;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.exec.ExecException;
import dev.ccx.server.exec.ExecOwner;
import dev.ccx.server.exec.Execution;
import dev.ccx.server.exec.ExecutionService;
import dev.ccx.server.exec.Executions;
import dev.ccx.server.exec.LocalExecution;
import dev.ccx.server.exec.Ownership;
import dev.ccx.server.log.ExecutionLog;
import dev.ccx.server.log.LogStore;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The executions of a cluster node: places each {@code execute} on a worker (this node when it has room), runs what
 * other nodes place here, and finds any execution of the cluster for {@code attach}, {@code control} and
 * {@code stdin}. docs/cluster.md describes the keys, the messages and the guarantees.
 *
 * <p><b>Placement</b> is a request to one worker at a time, in order of preference (this node, then the one with the
 * most room), each with its own attempt number: the worker claims the attempt atomically before it spawns, and a
 * gateway that hears nothing withdraws the attempt atomically, so an execution is started at most once, and work
 * that a lost worker never started goes to the next one.
 *
 * <p><b>Leases.</b> A worker holds a lease on each execution it runs, renewed every third of the lease. The reaper
 * (every node, once a beat, for nodes that stopped beating) ends an execution whose worker was lost and whose lease
 * has run out with reason {@code worker_lost}, appending its {@code process.completed} to the stream, or, when it
 * was started with {@code retry_on_loss}, places it again (at most {@value #MAX_RESTARTS} times), its log going on
 * from the next seq.
 */
public final class ClusterExecutions implements Executions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterExecutions.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    private static final long MIRROR_IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long IDEMPOTENCY_SECONDS = 86_400;
    static final int MAX_RESTARTS = 3;
    private static final int LISTED = 200;

    private final ExecutionService local;
    private final LogStore logs;
    private final ClusterSettings settings;
    private final Keys keys;
    private final RedisLink redis;
    private final Membership membership;
    private final Inbox inbox;
    private final LogTail tail;
    private final ScheduledExecutorService timer = Threads.scheduler("cluster");
    /** Sends the messages nobody waits for, and waits for the answers that stdin requests wait for. */
    private final ExecutorService messages = Threads.virtualPerTask("cluster-send");
    private final long retainSeconds;
    /** Cluster executions this node runs, by id. */
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    /** Executions of other nodes mirrored here, by id. */
    private final Map<String, RemoteExecution> mirrors = new ConcurrentHashMap<>();
    private final RemoteExecution.Link link = new Link();

    /** A cluster execution this node runs: the nodes that follow it from elsewhere, and its publisher. */
    private record Run(LocalExecution execution, String gateway, Set<String> followers, LogPublisher publisher) {
    }

    /**
     * @param local  the executions of this node, within its own limits
     * @param logs   where mirrors of other nodes' executions are kept
     * @param retain how long an ended execution's keys and stream are kept
     */
    public ClusterExecutions(ExecutionService local, LogStore logs, ClusterSettings settings, String version,
                             Duration retain) {
        this.local = local;
        this.logs = logs;
        this.settings = settings;
        this.keys = new Keys(settings.prefix());
        this.retainSeconds = Math.max(60, retain.toSeconds());
        this.redis = new RedisLink(settings.url(), settings.timeout(), Duration.ofSeconds(1));
        this.membership = new Membership(redis, keys, settings, version, local::runningCount, local::maxProcesses,
                this::lost);
        this.inbox = new Inbox(redis, keys, settings.nodeId(), this::handle);
        this.tail = new LogTail(redis, keys, settings.nodeId());
    }

    /**
     * Joins the cluster: the first heartbeat (announcing {@code url}, unless {@code --advertise} names another),
     * then the inbox, the heartbeats, lease renewals and the reaper.
     */
    public void start(String url) {
        membership.announce(settings.advertise() != null ? settings.advertise() : url);
        membership.beat();
        inbox.start();
        tail.start();
        long beat = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::tick, beat, beat, TimeUnit.MILLISECONDS);
        long renew = settings.lease().toMillis() / 3;
        timer.scheduleWithFixedDelay(this::renew, renew, renew, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::sweepMirrors, 10, 10, TimeUnit.SECONDS);
    }

    private void tick() {
        membership.beat();
        if (membership.judging()) {
            membership.stale().forEach(this::reap);
        }
    }

    /** The cluster for {@code /health}. */
    public ClusterHealth health() {
        return membership.health();
    }

    // ---- execute ------------------------------------------------------------------------------------------------

    /**
     * Places {@code params} on a worker; with an {@code idempotency_key} already used by these credentials within 24
     * h, returns that key's execution instead.
     */
    @Override
    public Started start(ExecOwner owner, ExecuteParams params) {
        List<String> require = params.require() == null ? List.of() : params.require();
        String key = params.idempotencyKey();
        if (!membership.available()) {
            if (settings.fallbackLocal() && settings.role().runs() && require.isEmpty() && key == null) {
                return new Started(local.execute(owner, params), false);
            }
            throw RedisLink.unavailable("Redis at " + redis.where() + " does not answer"
                    + (settings.fallbackLocal() ? (require.isEmpty() && key == null ? " and this node runs nothing"
                    : "; require and idempotency_key need it") : ""), null);
        }
        Set<String> known = membership.labels();
        for (String label : require) {
            if (!known.contains(label)) {
                throw new ExecException(ErrorCode.INVALID_PARAMS, "No live node has label \"" + label + "\" (labels "
                        + "in the cluster: " + known.stream().sorted().toList() + ")",
                        Map.of("label", label, "labels", known.stream().sorted().toList()));
            }
        }
        String id = ExecutionService.newId();
        register(owner, params, id);
        if (key != null) {
            String first = call(r -> r.setGet(keys.idem(owner.principal(), key), id,
                    SetArgs.Builder.nx().ex(IDEMPOTENCY_SECONDS)));
            if (first != null) {
                call(r -> r.del(keys.exec(id)));
                return new Started(find(first, owner.principal()), true);
            }
        }
        try {
            return new Started(place(owner, params, id, require), false);
        } catch (RuntimeException e) {
            try {
                call(r -> r.del(keys.exec(id)));
                if (key != null) {
                    call(r -> r.del(keys.idem(owner.principal(), key)));
                }
            } catch (RuntimeException cleanup) {
                LOG.warn("cluster: cannot clear the keys of refused execution {}: {}", id, cleanup.getMessage());
            }
            throw e;
        }
    }

    /** Writes the execution's record before anyone can learn its id. */
    private void register(ExecOwner owner, ExecuteParams params, String id) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("principal", owner.principal());
        h.put("gateway", settings.nodeId());
        h.put("session", owner.sessionId());
        h.put("remote", String.valueOf(owner.remote()));
        h.put("state", "placing");
        h.put("attempt", "0");
        h.put("command", shortCommand(params));
        h.put("keep", Boolean.toString(params.onDisconnect() == OnDisconnect.KEEP));
        h.put("stdin", Boolean.toString(Boolean.TRUE.equals(params.stdin())));
        h.put("params", Wire.mapper().writeValueAsString(params));
        h.put("created", Long.toString(System.currentTimeMillis()));
        try {
            // One pipeline, one wait: the commands go out back to back on the shared connection.
            var async = redis.shared().async();
            var written = List.of(async.hset(keys.exec(id), h),
                    async.zadd(keys.owned(owner.principal()), System.currentTimeMillis(), id),
                    async.expire(keys.owned(owner.principal()), retainSeconds + IDEMPOTENCY_SECONDS));
            for (var f : written) {
                f.toCompletableFuture().get(redis.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RedisLink.unavailable("interrupted writing execution " + id, null);
        } catch (Exception e) {
            throw RedisLink.unavailable("Redis at " + redis.where() + " failed: " + e.getMessage(), null);
        }
    }

    private Execution place(ExecOwner owner, ExecuteParams params, String id, List<String> require) {
        List<Membership.Node> candidates = candidates(require, Set.of());
        if (candidates.isEmpty()) {
            throw full(require);
        }
        int attempt = 0;
        ExecException last = null;
        for (Membership.Node n : candidates) {
            boolean here = n.id().equals(settings.nodeId());
            if (!here && !owner.tryAcquireSlot()) {
                throw new ExecException(ErrorCode.PROCESS_LIMIT, "A process is already running "
                        + "(max_processes_per_session=" + owner.slots() + ")",
                        Map.of("limit", "max_processes_per_session", "max", owner.slots()));
            }
            boolean placed = false;
            try {
                Execution e = here ? runHere(owner, params, id, attempt, 1, settings.nodeId())
                        : askToRun(owner, params, id, attempt, n.id());
                placed = true;
                return e;
            } catch (ExecException e) {
                if (e.code() != ErrorCode.PROCESS_LIMIT && e.code() != ErrorCode.CLUSTER_UNAVAILABLE
                        || "max_processes_per_session".equals(limitOf(e))) {
                    throw e;
                }
                last = e;
                // Void this attempt before the next, so that no worker can still start it.
                String claimed = call(r -> r.eval(Scripts.WITHDRAW, ScriptOutputType.VALUE,
                        new String[] {keys.exec(id)}));
                if (claimed != null) {
                    placed = true; // it did start there after all: follow it
                    return mirror(id, claimed, ownership(owner.principal(), params), owner, 1, shortCommand(params),
                            Boolean.TRUE.equals(params.stdin()), System.currentTimeMillis() / 1000.0);
                }
                LOG.info("cluster: node {} did not start execution {} ({}); trying the next", n.id(), id,
                        e.getMessage());
            } finally {
                if (!here && !placed) {
                    owner.releaseSlot();
                }
            }
            attempt++;
        }
        throw last != null && last.code() != ErrorCode.PROCESS_LIMIT ? last : full(require);
    }

    private static String limitOf(ExecException e) {
        return e.data() instanceof Map<?, ?> m && m.get("limit") instanceof String s ? s : null;
    }

    private ExecException full(List<String> require) {
        int max = membership.live().stream().filter(n -> n.role().runs() && n.has(require))
                .mapToInt(Membership.Node::maxProcesses).sum();
        return new ExecException(ErrorCode.PROCESS_LIMIT, "Every worker in the cluster" + (require.isEmpty() ? ""
                : " with labels " + require) + " runs its maximum of processes (max_processes, " + max
                + " in all)", Map.of("limit", "cluster", "max", max));
    }

    /** Live workers with the labels and room, this node first, then the one with the most room. */
    private List<Membership.Node> candidates(List<String> require, Set<String> exclude) {
        return membership.live().stream()
                .filter(n -> n.role().runs() && n.has(require) && !exclude.contains(n.id()))
                .filter(n -> n.id().equals(settings.nodeId()) ? local.runningCount() < local.maxProcesses()
                        : n.free() > 0)
                .sorted(Comparator.comparing((Membership.Node n) -> !n.id().equals(settings.nodeId()))
                        .thenComparing(Comparator.comparingInt(Membership.Node::free).reversed()))
                .toList();
    }

    /**
     * Asks {@code worker} to run attempt {@code attempt}; returns the mirror of the execution it started. The mirror
     * is read before the request goes out, so the first frames find the reader already waiting for them.
     */
    private RemoteExecution askToRun(ExecOwner owner, ExecuteParams params, String id, int attempt, String worker) {
        RemoteExecution e = mirror(id, worker, ownership(owner.principal(), params), owner, 1, shortCommand(params),
                Boolean.TRUE.equals(params.stdin()), System.currentTimeMillis() / 1000.0);
        boolean started = false;
        try {
            JsonNode answer = link.ask(worker, executeMessage(id, attempt, params, owner.principal(),
                    owner.sessionId(), String.valueOf(owner.remote()), settings.nodeId(), 1));
            e.started(answer.path("result").path("pid").asLong());
            started = true;
            return e;
        } finally {
            if (!started) {
                forget(e);
            }
        }
    }

    /** Stops mirroring {@code e} and lets its log go. */
    private void forget(RemoteExecution e) {
        if (mirrors.remove(e.id(), e)) {
            tail.remove(e.id());
            e.ownerCursorOrNone().ifPresent(c -> c.close());
            e.log().discard();
        }
    }

    private static ObjectNode executeMessage(String id, int attempt, ExecuteParams params, String principal,
                                             String session, String remote, String gateway, long firstSeq) {
        ObjectNode m = Wire.mapper().createObjectNode().put("type", "execute").put("id", id).put("attempt", attempt)
                .put("principal", principal).put("session", session).put("remote", remote).put("gateway", gateway)
                .put("first_seq", firstSeq);
        m.set("params", Wire.mapper().valueToTree(params));
        return m;
    }

    private static Ownership ownership(String principal, ExecuteParams params) {
        boolean keep = params.onDisconnect() == OnDisconnect.KEEP;
        return new Ownership(principal, keep, null);
    }

    /** Claims attempt {@code attempt} and runs it on this node, its log copied to the stream. */
    private LocalExecution runHere(ExecOwner owner, ExecuteParams params, String id, int attempt, long firstSeq,
                                   String gateway) {
        if (local.runningCount() >= local.maxProcesses()) {
            throw new ExecException(ErrorCode.PROCESS_LIMIT, "Node " + settings.nodeId() + " runs its maximum of "
                    + local.maxProcesses() + " processes (max_processes)",
                    Map.of("limit", "max_processes", "max", local.maxProcesses()));
        }
        long claimed = call(r -> r.eval(Scripts.CLAIM, ScriptOutputType.INTEGER,
                new String[] {keys.exec(id), keys.lease(id), keys.running(settings.nodeId())}, settings.nodeId(),
                Integer.toString(attempt), Long.toString(settings.lease().toMillis()), id));
        if (claimed == 0) {
            LOG.info("cluster: execution {} attempt {} was withdrawn or claimed elsewhere before this node could "
                    + "claim it; not started", id, attempt);
            throw new ExecException(ErrorCode.CLUSTER_UNAVAILABLE, "Execution " + id + " attempt " + attempt
                    + " is no longer this node's to start (withdrawn or claimed)");
        }
        LocalExecution e;
        try {
            e = local.execute(owner, params, id, firstSeq);
        } catch (RuntimeException failure) {
            try {
                call(r -> r.eval(Scripts.UNCLAIM, ScriptOutputType.INTEGER, new String[] {keys.exec(id),
                        keys.lease(id), keys.running(settings.nodeId())}, settings.nodeId(), id));
            } catch (RuntimeException ignored) {
                // The lease runs out by itself; the reaper finds a placing execution with no worker, not ours.
            }
            throw failure;
        }
        Set<String> followers = ConcurrentHashMap.newKeySet();
        if (!gateway.equals(settings.nodeId())) {
            followers.add(gateway);
        }
        Run run = new Run(e, gateway, followers, LogPublisher.start(redis, keys.log(id), e.log(), firstSeq,
                () -> ended(e)));
        runs.put(id, run);
        try {
            redis.shared().async().hset(keys.exec(id), "pid", Long.toString(e.pid())); // for lists only: not awaited
        } catch (RuntimeException ignored) {
            // process.started carries the pid too.
        }
        return e;
    }

    /** The stream holds all of {@code e}: mark it ended in Redis (retried by the publisher until it is). */
    private void ended(LocalExecution e) {
        ProcessCompleted done = e.completed();
        redis.sync().eval(Scripts.ENDED, ScriptOutputType.INTEGER, new String[] {keys.exec(e.id()), keys.lease(e.id()),
                keys.running(settings.nodeId()), keys.log(e.id())}, settings.nodeId(), e.id(),
                done == null ? "" : Wire.mapper().writeValueAsString(done), Long.toString(retainSeconds));
        runs.remove(e.id());
    }

    // ---- requests from other nodes (the inbox thread) -----------------------------------------------------------

    private void handle(JsonNode m) {
        String type = m.path("type").asString("");
        String id = m.path("id").asString("");
        switch (type) {
            case "execute" -> onExecute(m);
            case "control" -> answer(m, () -> {
                Execution e = local.find(id, m.path("principal").asString(""));
                return Wire.mapper().valueToTree(e.control(ControlType.valueOf(m.path("control").asString()), null));
            });
            case "stdin" -> onStdin(m);
            case "end" -> {
                Run run = runs.get(id);
                if (run != null) {
                    run.execution().end(EndReason.valueOf(m.path("reason").asString("DISCONNECT")));
                }
            }
            case "follow" -> {
                Run run = runs.get(id);
                if (run != null && run.followers().add(m.path("from").asString(""))) {
                    run.execution().followed();
                }
            }
            case "unfollow" -> {
                Run run = runs.get(id);
                if (run != null && run.followers().remove(m.path("from").asString(""))) {
                    run.execution().unfollowed();
                }
            }
            default -> LOG.warn("cluster: unknown message type {}", type);
        }
    }

    private void onExecute(JsonNode m) {
        answer(m, () -> {
            LocalExecution e = runPlaced(m);
            return Wire.mapper().createObjectNode().put("pid", e.pid()).put("node", settings.nodeId());
        });
    }

    /**
     * Runs an {@code execute} message here (sent by a gateway, or a restart placed here by this node's reaper). Its
     * client follows it through the stream, not through this node's log, so the owner's cursor is let go at once.
     */
    private LocalExecution runPlaced(JsonNode m) {
        ExecuteParams params = Wire.mapper().treeToValue(m.get("params"), ExecuteParams.class);
        String gateway = m.path("gateway").asString("");
        RemoteOwner owner = new RemoteOwner(gateway + "/" + m.path("session").asString(""),
                m.path("remote").asString(null), m.path("principal").asString(""));
        LocalExecution e = runHere(owner, params, m.path("id").asString(), m.path("attempt").asInt(),
                m.path("first_seq").asLong(1), gateway);
        e.ownerCursor().close();
        return e;
    }

    private void onStdin(JsonNode m) {
        try {
            Execution e = local.find(m.path("id").asString(""), m.path("principal").asString(""));
            byte[] bytes = Base64.getDecoder().decode(m.path("data_base64").asString(""));
            e.stdin(bytes, m.path("eof").asBoolean(), Duration.ofMillis(m.path("timeout_ms").asLong(30_000)),
                    4L << 20).whenComplete((result, failure) -> {
                        ObjectNode a = Wire.mapper().createObjectNode();
                        if (failure == null) {
                            a.set("result", Wire.mapper().valueToTree(result));
                        } else {
                            a.set("error", error(failure instanceof CompletionException c && c.getCause() != null
                                    ? c.getCause() : failure));
                        }
                        inbox.reply(m, a);
                    });
        } catch (RuntimeException failure) {
            inbox.reply(m, (ObjectNode) Wire.mapper().createObjectNode().set("error", error(failure)));
        }
    }

    private interface Answer {
        JsonNode get();
    }

    private void answer(JsonNode m, Answer what) {
        ObjectNode a = Wire.mapper().createObjectNode();
        try {
            a.set("result", what.get());
        } catch (RuntimeException e) {
            a.set("error", error(e));
        }
        inbox.reply(m, a);
    }

    private static ObjectNode error(Throwable e) {
        ObjectNode o = Wire.mapper().createObjectNode();
        if (e instanceof ExecException x) {
            o.put("code", x.code().code()).put("message", x.getMessage());
            if (x.data() != null) {
                o.set("data", Wire.mapper().valueToTree(x.data()));
            }
        } else {
            LOG.warn("cluster: request failed", e);
            o.put("code", ErrorCode.INTERNAL_ERROR.code()).put("message", "Internal error on the worker: " + e);
        }
        return o;
    }

    /** A node stopped beating: what it asked is not answered, and what it followed here is no longer followed. */
    private void lost(String node) {
        inbox.lost(node);
        for (Run run : runs.values()) {
            if (run.gateway().equals(node) && !run.execution().ownership().keep()) {
                run.execution().end(EndReason.DISCONNECT);
            }
            if (run.followers().remove(node)) {
                run.execution().unfollowed();
            }
        }
    }

    // ---- leases and the reaper (the cluster timer) --------------------------------------------------------------

    private void renew() {
        for (Run run : runs.values()) {
            String id = run.execution().id();
            try {
                long ok = redis.sync().eval(Scripts.RENEW, ScriptOutputType.INTEGER, new String[] {keys.exec(id),
                        keys.lease(id)}, settings.nodeId(), Long.toString(settings.lease().toMillis()));
                if (ok == 0 && !run.execution().isFinished()) {
                    // Another node took us for lost and ended it: the cluster has told its followers so.
                    LOG.warn("cluster: execution {} was ended by the cluster while this node ran it (this node was "
                            + "cut off from Redis past its lease); ending its process", id);
                    run.publisher().stop();
                    runs.remove(id);
                    run.execution().end(EndReason.WORKER_LOST);
                }
            } catch (RuntimeException e) {
                return; // Redis is away: the processes go on; the renewal comes with the next round
            }
        }
    }

    private void reap(String node) {
        try {
            RedisCommands<String, String> r = redis.sync();
            for (String id : r.smembers(keys.running(node))) {
                Map<String, String> h = r.hgetall(keys.exec(id));
                List<StreamMessage<String, String>> last = r.xrevrange(keys.log(id), Range.create("-", "+"),
                        Limit.from(1));
                long seq = last.isEmpty() ? 1 : Long.parseLong(last.getFirst().getBody().get("l")) + 1;
                ExecuteParams params = h.containsKey("params")
                        ? Wire.mapper().readValue(h.get("params"), ExecuteParams.class) : null;
                if (params != null && Boolean.TRUE.equals(params.retryOnLoss()) && restart(r, node, id, h, params,
                        seq)) {
                    continue;
                }
                long pid = Long.parseLong(h.getOrDefault("pid", "0"));
                double elapsed = Math.max(0, System.currentTimeMillis() - Long.parseLong(h.getOrDefault("created",
                        "0"))) / 1000.0;
                ProcessCompleted done = new ProcessCompleted("failed", pid, pid, -1, "The cluster lost node " + node
                        + ", which ran it", elapsed, id, seq, EndReason.WORKER_LOST, 0, 0);
                String frame = Wire.mapper().writeValueAsString(new dev.ccx.protocol.Envelopes.Notification(
                        dev.ccx.protocol.Methods.PROCESS_COMPLETED, done));
                long reaped = r.eval(Scripts.REAP, ScriptOutputType.INTEGER, new String[] {keys.exec(id),
                        keys.lease(id), keys.running(node), keys.log(id)}, id, frame,
                        Wire.mapper().writeValueAsString(done), Long.toString(retainSeconds), Long.toString(seq));
                if (reaped == 1) {
                    LOG.warn("cluster: execution {} ended with worker_lost: node {} was lost", id, node);
                }
            }
            if (r.scard(keys.running(node)) == 0) {
                r.zrem(keys.nodes(), node);
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster: reaping node {} failed; the next round tries again", node, e);
        }
    }

    /** Places a lost execution again; {@code false} when it may not be (restarts used up, or nowhere to go). */
    private boolean restart(RedisCommands<String, String> r, String lostNode, String id, Map<String, String> h,
                            ExecuteParams params, long firstSeq) {
        List<String> require = params.require() == null ? List.of() : params.require();
        List<Membership.Node> targets = candidates(require, Set.of(lostNode));
        if (targets.isEmpty()) {
            return false; // nowhere to run it: it ends as lost
        }
        long attempt = r.eval(Scripts.REQUEUE, ScriptOutputType.INTEGER, new String[] {keys.exec(id),
                keys.lease(id), keys.running(lostNode)}, id, Integer.toString(MAX_RESTARTS));
        if (attempt == -1) {
            return true; // not ours to touch now (still leased, or already handled)
        }
        if (attempt == 0) {
            return false;
        }
        for (Membership.Node n : targets) {
            ObjectNode m = executeMessage(id, (int) attempt, params, h.get("principal"), h.get("session"),
                    h.get("remote"), h.getOrDefault("gateway", ""), firstSeq);
            try {
                if (n.id().equals(settings.nodeId())) {
                    runPlaced(m);
                } else {
                    link.ask(n.id(), m);
                }
                LOG.warn("cluster: execution {} restarted on node {} (retry_on_loss): node {} was lost", id, n.id(),
                        lostNode);
                return true;
            } catch (ExecException e) {
                String claimed = r.eval(Scripts.WITHDRAW, ScriptOutputType.VALUE, new String[] {keys.exec(id)});
                if (claimed != null) {
                    return true;
                }
                attempt++;
            }
        }
        // Every worker refused: it ends as lost after all, through the reaper's next round.
        r.hset(keys.exec(id), Map.of("state", "running", "worker", lostNode));
        r.sadd(keys.running(lostNode), id);
        return false;
    }

    // ---- find and list ------------------------------------------------------------------------------------------

    @Override
    public Execution find(String id, String principal) {
        try {
            return local.find(id, principal);
        } catch (ExecException notHere) {
            RemoteExecution m = mirrors.get(id);
            if (m != null && !m.ownership().principal().equals(principal)) {
                throw notHere;
            }
            if (!membership.available()) {
                if (m != null) {
                    return m;
                }
                throw RedisLink.unavailable("execution " + id + " is not on this node, and Redis at "
                        + redis.where() + " does not answer", null);
            }
            if (m == null) {
                m = mirrorOf(id, principal, notHere);
            }
            // What the stream holds now is in the mirror before the request goes on: an attach from the position a
            // client saw on another node finds it here.
            List<StreamMessage<String, String>> last = call(r -> r.xrevrange(keys.log(id), Range.create("-", "+"),
                    Limit.from(1)));
            if (!last.isEmpty()) {
                m.awaitSeq(Long.parseLong(last.getFirst().getBody().get("l")), ASK_TIMEOUT.toMillis());
            }
            return m;
        }
    }

    /** A new mirror of another node's execution, from what its stream still holds. */
    private RemoteExecution mirrorOf(String id, String principal, ExecException notHere) {
        Map<String, String> h = call(r -> r.hgetall(keys.exec(id)));
        if (h.isEmpty() || !principal.equals(h.get("principal"))
                || settings.nodeId().equals(h.get("worker")) && !"placing".equals(h.get("state"))) {
            throw notHere;
        }
        List<StreamMessage<String, String>> first = call(r -> r.xrange(keys.log(id), Range.create("-", "+"),
                Limit.from(1)));
        long firstSeq = first.isEmpty() ? 1 : Long.parseLong(first.getFirst().getBody().get("f"));
        RemoteExecution e = mirror(id, h.getOrDefault("worker", ""), new Ownership(principal,
                Boolean.parseBoolean(h.get("keep")), null), null, firstSeq, h.getOrDefault("command", ""),
                Boolean.parseBoolean(h.get("stdin")), Long.parseLong(h.getOrDefault("created", "0")) / 1000.0);
        e.started(Long.parseLong(h.getOrDefault("pid", "0")));
        return e;
    }

    private RemoteExecution mirror(String id, String worker, Ownership ownership, ExecOwner owner, long firstSeq,
                                   String command, boolean stdin, double startedAt) {
        // Kept like the worker keeps its own log: everything for a kept execution (clients come back for any of
        // it); for one that ends with its connection, what every follower here has read may go.
        ExecutionLog log = logs.create(id, ownership.keep(), firstSeq);
        RemoteExecution made = new RemoteExecution(id, worker, ownership, owner, log, link, command, stdin,
                startedAt);
        RemoteExecution had = mirrors.putIfAbsent(id, made);
        if (had != null) {
            made.log().discard();
            return had;
        }
        tail.add(id, made);
        return made;
    }

    /** Lets go of mirrors that nobody here has followed for a minute. */
    private void sweepMirrors() {
        for (RemoteExecution m : mirrors.values()) {
            if (m.idleFor(MIRROR_IDLE_NANOS) && (m.owner() == null || m.isFinished())) {
                forget(m);
            }
        }
    }

    @Override
    public String node(Execution execution) {
        return execution instanceof RemoteExecution r ? r.node() : settings.nodeId();
    }

    @Override
    public ExecutionList list(String principal) {
        List<ExecutionList.ExecutionInfo> here = local.list(principal).executions().stream()
                .map(i -> i.withNode(settings.nodeId())).toList();
        if (!membership.available()) {
            return new ExecutionList(here);
        }
        Set<String> seen = new HashSet<>();
        here.forEach(i -> seen.add(i.executionId()));
        List<ExecutionList.ExecutionInfo> running = new ArrayList<>();
        List<ExecutionList.ExecutionInfo> ended = new ArrayList<>();
        try {
            // The newest of these credentials' executions, then every record in one pipeline: the dashboard asks
            // every second, and one round trip per execution would be up to 200.
            List<String> ids = redis.sync().zrevrange(keys.owned(principal), 0, LISTED - 1).stream()
                    .filter(id -> !seen.contains(id)).toList();
            var async = redis.shared().async();
            List<CompletableFuture<Map<String, String>>> records = ids.stream()
                    .map(id -> async.hgetall(keys.exec(id)).toCompletableFuture()).toList();
            for (int i = 0; i < ids.size(); i++) {
                Map<String, String> h = records.get(i).get(redis.timeout().toMillis(), TimeUnit.MILLISECONDS);
                RemoteExecution m = mirrors.get(ids.get(i));
                ExecutionList.ExecutionInfo info = m != null && !h.isEmpty()
                        ? m.info().withNode(h.getOrDefault("worker", m.node())) : info(ids.get(i), h);
                if (info != null) {
                    (info.status().equals("running") ? running : ended).add(info);
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("cluster: listing from Redis failed: {}", e.getMessage());
            return new ExecutionList(here);
        }
        List<ExecutionList.ExecutionInfo> all = new ArrayList<>();
        here.stream().filter(i -> i.status().equals("running")).forEach(all::add);
        all.addAll(running.reversed());
        here.stream().filter(i -> !i.status().equals("running")).forEach(all::add);
        all.addAll(ended);
        return new ExecutionList(all);
    }

    private static ExecutionList.ExecutionInfo info(String id, Map<String, String> h) {
        if (h.isEmpty() || h.get("state").equals("placing") && !h.containsKey("worker")) {
            return null;
        }
        ProcessCompleted done = h.containsKey("completed") && !h.get("completed").isEmpty()
                ? Wire.mapper().readValue(h.get("completed"), ProcessCompleted.class) : null;
        long pid = Long.parseLong(h.getOrDefault("pid", "0"));
        return new ExecutionList.ExecutionInfo(id, h.getOrDefault("command", ""), done == null ? "running"
                : "completed", pid, Boolean.parseBoolean(h.get("keep")) ? OnDisconnect.KEEP : OnDisconnect.KILL,
                false, Long.parseLong(h.getOrDefault("created", "0")) / 1000.0, null,
                done == null ? null : done.reason(), done == null ? null : done.exitCode(),
                done == null ? 0 : done.seq(), 0, 0, false, h.get("worker"));
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private interface RedisCall<T> {
        T on(RedisCommands<String, String> r);
    }

    private <T> T call(RedisCall<T> what) {
        try {
            return what.on(redis.sync());
        } catch (ExecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw RedisLink.unavailable("Redis at " + redis.where() + " failed: " + e.getMessage(), null);
        }
    }

    private static String shortCommand(ExecuteParams p) {
        String s = p.command() != null ? p.command() : String.join(" ", p.argv());
        return s.length() <= 200 ? s : s.substring(0, 199) + "\u2026";
    }

    private final class Link implements RemoteExecution.Link {
        @Override
        public String self() {
            return settings.nodeId();
        }

        @Override
        public String worker(String id, String fallback) {
            try {
                String w = redis.sync().hget(keys.exec(id), "worker");
                return w == null ? fallback : w;
            } catch (RuntimeException e) {
                return fallback;
            }
        }

        @Override
        public JsonNode ask(String node, ObjectNode message) {
            JsonNode answer;
            try {
                answer = inbox.ask(node, message, ASK_TIMEOUT).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof ExecException x) {
                    throw x;
                }
                if (e.getCause() instanceof TimeoutException) {
                    throw new ExecException(ErrorCode.CLUSTER_UNAVAILABLE, "Node " + node + " did not answer within "
                            + ASK_TIMEOUT.toSeconds() + "s");
                }
                throw RedisLink.unavailable("asking node " + node + " failed", e.getCause());
            }
            JsonNode error = answer.get("error");
            if (error != null) {
                ErrorCode code = ErrorCode.of(error.path("code").asInt());
                JsonNode data = error.get("data");
                throw new ExecException(code == null ? ErrorCode.INTERNAL_ERROR : code,
                        error.path("message").asString(""),
                        data == null ? null : Wire.mapper().treeToValue(data, Object.class));
            }
            return answer;
        }

        @Override
        public java.util.concurrent.Executor executor() {
            return messages;
        }

        @Override
        public void tell(String node, ObjectNode message) {
            message.put("from", settings.nodeId());
            messages.execute(() -> {
                try {
                    inbox.send(node, message);
                } catch (RuntimeException e) {
                    LOG.warn("cluster: cannot tell node {} to {} execution {}: {}", node, message.path("type")
                            .asString(), message.path("id").asString(), e.getMessage());
                }
            });
        }
    }

    /** Stops the timer, waits (at most a second) for the streams of ended executions to be written, and leaves. */
    @Override
    public void close() {
        timer.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Run run : runs.values()) {
            try {
                run.publisher().done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                run.publisher().stop();
            }
        }
        try {
            RedisCommands<String, String> r = redis.sync();
            r.zrem(keys.nodes(), settings.nodeId());
            r.del(keys.node(settings.nodeId()));
        } catch (RuntimeException e) {
            // Its heartbeat runs out by itself.
        }
        tail.close();
        inbox.close();
        messages.shutdownNow();
        redis.close();
    }
}
