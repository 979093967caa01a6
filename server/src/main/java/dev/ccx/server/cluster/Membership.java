// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.protocol.ClusterHealth;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's heartbeat and its view of the others. Each beat writes the node's hash (with a TTL of three beats)
 * and its score in the {@code nodes} set, both stamped with Redis's own clock so that nodes need not agree on the
 * time, then reads every node back. A node is live while its last beat is less than three beats old; one that
 * stops beating is reported once to the listeners (so executions it submitted or followed can be let go), and its
 * executions are the reaper's.
 *
 * <p>Judging others needs a working view of our own: after this node could not reach Redis, it waits three beats
 * before it takes anybody for dead, so that the nodes that could not beat during the same outage have beaten again.
 */
final class Membership {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    private static final String BEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('HSET', KEYS[2], 'seen', now, unpack(ARGV, 3))
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            return now
            """;

    /** A node as its last heartbeat described it. */
    record Node(String id, String url, ClusterSettings.Role role, List<String> labels, int running,
                int maxProcesses, String version, long seenMillis) {
        boolean has(List<String> required) {
            return labels.containsAll(required);
        }

        int free() {
            return maxProcesses - running;
        }
    }

    /** What the last beat saw: the live nodes, by id order, and Redis's clock then. */
    private record View(List<Node> live, Set<String> stale, long nowMillis) {
    }

    private final RedisLink redis;
    private final Keys keys;
    private final ClusterSettings settings;
    private volatile String url;
    private final String version;
    private final IntSupplier running;
    private final IntSupplier maxProcesses;
    private final Consumer<String> onLost;
    private volatile View view = new View(List.of(), Set.of(), 0);
    private volatile boolean available;
    /** Beats to wait, after an outage of our own, before anybody is taken for dead. */
    private int judgeIn = 3;
    private Set<String> liveIds = Set.of();

    Membership(RedisLink redis, Keys keys, ClusterSettings settings, String version, IntSupplier running,
               IntSupplier maxProcesses, Consumer<String> onLost) {
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
        this.version = version;
        this.running = running;
        this.maxProcesses = maxProcesses;
        this.onLost = onLost;
    }

    /** The URL this node announces. */
    void announce(String wsUrl) {
        this.url = wsUrl;
    }

    /** One heartbeat and a fresh view; on the cluster timer only (and once at start, before it runs). */
    void beat() {
        try {
            RedisCommands<String, String> r = redis.sync();
            long ttl = settings.heartbeat().toMillis() * 3;
            List<String> args = new ArrayList<>(List.of(settings.nodeId(), Long.toString(ttl),
                    "url", url, "role", settings.role().wire(), "labels", String.join(",", settings.labels()),
                    "running", Integer.toString(running.getAsInt()),
                    "max", Integer.toString(settings.role().runs() ? maxProcesses.getAsInt() : 0),
                    "version", version));
            long now = r.eval(BEAT, ScriptOutputType.INTEGER, new String[] {keys.nodes(), keys.node(settings.nodeId())},
                    args.toArray(String[]::new));
            View v = read(r, now);
            if (!available) {
                LOG.info("cluster: Redis at {} answers; node {} is in the cluster ({} nodes live)", redis.where(),
                        settings.nodeId(), v.live().size());
            }
            available = true;
            view = v;
            if (judgeIn > 0) {
                judgeIn--;
            } else {
                Set<String> ids = new HashSet<>();
                v.live().forEach(n -> ids.add(n.id()));
                for (String was : liveIds) {
                    if (!ids.contains(was)) {
                        LOG.warn("cluster: node {} stopped beating", was);
                        onLost.accept(was);
                    }
                }
                liveIds = ids;
            }
        } catch (RuntimeException e) {
            if (available) {
                LOG.warn("cluster: Redis at {} does not answer ({}); new executions {}", redis.where(),
                        e.getMessage(), settings.fallbackLocal() ? "run on this node only" : "are refused");
            }
            available = false;
            judgeIn = 3;
        }
    }

    /** Every node in the set and, in one pipeline, the hashes of those that beat lately. */
    private View read(RedisCommands<String, String> r, long now) {
        long horizon = now - settings.heartbeat().toMillis() * 3;
        Set<String> stale = new HashSet<>();
        List<String> recent = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (ScoredValue<String> member : r.zrangeWithScores(keys.nodes(), 0, -1)) {
            if (member.getScore() < horizon) {
                stale.add(member.getValue());
            } else {
                recent.add(member.getValue());
                seen.add((long) member.getScore());
            }
        }
        var async = redis.shared().async();
        List<CompletableFuture<Map<String, String>>> hashes = recent.stream()
                .map(id -> async.hgetall(keys.node(id)).toCompletableFuture()).toList();
        List<Node> live = new ArrayList<>();
        for (int i = 0; i < recent.size(); i++) {
            Map<String, String> h = hashes.get(i).join(); // each bounded by the command timeout
            if (h.isEmpty()) {
                stale.add(recent.get(i));
                continue;
            }
            live.add(new Node(recent.get(i), h.get("url"), ClusterSettings.Role.parse(h.getOrDefault("role", "both")),
                    h.getOrDefault("labels", "").isEmpty() ? List.of()
                    : Arrays.asList(h.get("labels").split(",")), intOf(h.get("running")), intOf(h.get("max")),
                    h.get("version"), seen.get(i)));
        }
        return new View(List.copyOf(live), Set.copyOf(stale), now);
    }

    private static int intOf(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether Redis answered the last beat. */
    boolean available() {
        return available;
    }

    /** Whether this node may take others for dead now (Redis answers, and has for three beats). */
    boolean judging() {
        return available && judgeIn == 0;
    }

    /** The live nodes as of the last beat. */
    List<Node> live() {
        return view.live();
    }

    /** Whether {@code id} beat within the last three beats (as of the last beat). */
    boolean isLive(String id) {
        return view.live().stream().anyMatch(n -> n.id().equals(id));
    }

    /** Nodes still in the {@code nodes} set whose beats stopped: their executions are the reaper's. */
    Set<String> stale() {
        return view.stale();
    }

    /** Every label some live node has. */
    Set<String> labels() {
        Set<String> all = new HashSet<>();
        view.live().forEach(n -> all.addAll(n.labels()));
        return all;
    }

    /** The cluster for {@code /health}. */
    ClusterHealth health() {
        View v = view;
        List<ClusterHealth.Node> nodes = v.live().stream().map(n -> new ClusterHealth.Node(n.id(), n.url(),
                n.role().wire(), n.labels(), n.running(), n.maxProcesses(), n.version(),
                Math.max(0, v.nowMillis() - n.seenMillis()) / 1000.0)).toList();
        return new ClusterHealth(settings.nodeId(), settings.role().wire(), settings.labels(), available, nodes);
    }
}
