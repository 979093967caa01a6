// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a node takes part in a cluster ({@code --cluster}).
 *
 * @param url           the cluster's Redis, {@code redis://HOST:PORT[/DB]}
 * @param nodeId        this node's id, unique in the cluster
 * @param role          what the node does
 * @param labels        what {@code require} in {@code execute} can ask of the node
 * @param advertise     the WebSocket URL clients reach this node at, or {@code null} for the one it listens on
 * @param fallbackLocal with Redis unreachable, run new executions here (unseen by other nodes) instead of failing
 * @param prefix        prefix of every key, e.g. {@code ccx:}
 * @param lease         how long a worker's claim on a running execution lasts without renewal
 * @param heartbeat     how often a node announces itself; it is taken for dead after three missed
 * @param timeout       the bound of every Redis command
 */
public record ClusterSettings(String url, String nodeId, Role role, List<String> labels, String advertise,
                              boolean fallbackLocal, String prefix, Duration lease, Duration heartbeat,
                              Duration timeout) {
    /** Labels and node ids: what fits in a key and a log line. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    public static final String DEFAULT_PREFIX = "ccx:";
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    public ClusterSettings {
        labels = List.copyOf(labels);
        if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
            throw new IllegalArgumentException("cluster: " + url + " (expected: redis://HOST:PORT[/DB])");
        }
        if (!NAME.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("node_id: " + nodeId + " (expected: letters, digits, . _ : -; at "
                    + "most 64)");
        }
        for (String l : labels) {
            if (!NAME.matcher(l).matches()) {
                throw new IllegalArgumentException("label: " + l + " (expected: letters, digits, . _ : -; at most "
                        + "64)");
            }
        }
        if (lease.compareTo(heartbeat.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("lease: " + lease + " (expected: at least three heartbeats)");
        }
    }

    /** What a node does. */
    public enum Role {
        /** Accepts clients and places their executions on workers; runs nothing itself. */
        GATEWAY,
        /** Runs executions placed by other nodes; accepts no WebSocket clients. */
        WORKER,
        /** Both (the default). */
        BOTH;

        /** Whether it runs executions. */
        public boolean runs() {
            return this != GATEWAY;
        }

        /** Whether it accepts WebSocket clients. */
        public boolean accepts() {
            return this != WORKER;
        }

        /** The lower-case name, as in {@code --role}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code gateway}, {@code worker} or {@code both}. */
        public static Role parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("role: " + s + " (expected: gateway, worker or both)");
            }
        }
    }
}
