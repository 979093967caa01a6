// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;

/**
 * The cluster as one node sees it, in {@code /health}.
 *
 * @param node      this node's id
 * @param role      {@code gateway}, {@code worker} or {@code both}
 * @param labels    this node's labels
 * @param available whether Redis answers this node now (when not, new executions fail with -32012, or run here with
 *                  {@code --cluster-fallback local})
 * @param nodes     the live nodes, this one included, by id
 */
public record ClusterHealth(String node, String role, List<String> labels, boolean available, List<Node> nodes) {

    /**
     * One live node, from its last heartbeat.
     *
     * @param id           node id
     * @param url          the WebSocket URL clients reach it at
     * @param role         {@code gateway}, {@code worker} or {@code both}
     * @param labels       its labels
     * @param running      executions it runs now
     * @param maxProcesses executions it runs at most
     * @param version      its ccx version
     * @param ageSeconds   seconds since its last heartbeat
     */
    public record Node(String id, String url, String role, List<String> labels, int running, int maxProcesses,
                       String version, double ageSeconds) {
    }
}
