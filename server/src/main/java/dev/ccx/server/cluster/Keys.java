// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

/** The cluster's keys, all under one prefix; docs/cluster.md lists them with their bounds and lifetimes. */
record Keys(String prefix) {
    /** Sorted set: node id → its last heartbeat, in Redis's clock (ms). */
    String nodes() {
        return prefix + "nodes";
    }

    /** Hash: a node's address, role, labels, load; expires three heartbeats after the last. */
    String node(String id) {
        return prefix + "node:" + id;
    }

    /** Stream: messages to a node (execute, control, stdin, follow, end, replies). */
    String inbox(String node) {
        return prefix + "inbox:" + node;
    }

    /** Set: the executions a node runs, for the reaper of a lost node. */
    String running(String node) {
        return prefix + "running:" + node;
    }

    /** Hash: an execution's owner, worker, state, and its {@code process.completed} once ended. */
    String exec(String id) {
        return prefix + "exec:" + id;
    }

    /** String: the worker's lease on a running execution. */
    String lease(String id) {
        return prefix + "lease:" + id;
    }

    /** Stream: an execution's notifications, in batches of frames. */
    String log(String id) {
        return prefix + "log:" + id;
    }

    /** Sorted set: the executions started with some credentials, by start time, for {@code executions}. */
    String owned(String principal) {
        return prefix + "owned:" + principal;
    }

    /** String: the execution an idempotency key started. */
    String idem(String principal, String key) {
        return prefix + "idem:" + principal + ":" + key;
    }

    /** Stream: wakes a node's log reader when it has a new stream to read. */
    String wake(String node) {
        return prefix + "wake:" + node;
    }
}
