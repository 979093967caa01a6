// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why an execution ended, sent as {@code reason} in {@code process.completed}. */
public enum EndReason {
    /** The process exited on its own. */
    EXIT("exit"),
    /** The wall-clock {@code timeout} passed; the group was terminated. */
    TIMEOUT("timeout"),
    /** No output for {@code idle_timeout}; the group was terminated. */
    IDLE_TIMEOUT("idle_timeout"),
    /** A client sent CANCEL; the group was terminated. */
    CANCELED("canceled"),
    /** The client's connection closed; the group was terminated. */
    DISCONNECT("disconnect"),
    /** A kept execution ran with no connection following it for its {@code linger}; the group was terminated. */
    ABANDONED("abandoned"),
    /** The server is shutting down; the group was terminated. */
    SHUTDOWN("shutdown"),
    /** Cluster: the worker running it was lost (killed, or cut off from Redis past its lease); nothing restarted it. */
    WORKER_LOST("worker_lost"),
    /** Supervision itself failed (for example a pipe read error); the group was terminated. */
    ERROR("error");

    private final String wire;

    EndReason(String wire) {
        this.wire = wire;
    }

    /** The lower-case name used on the wire. */
    @JsonValue
    public String wire() {
        return wire;
    }
}
