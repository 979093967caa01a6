// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What the loss of the connection that started an execution does to it ({@code execute}'s {@code on_disconnect}). */
public enum OnDisconnect {
    /** The execution ends with reason {@code disconnect}: the original's behaviour, and the default. */
    KILL("kill"),
    /** The execution runs on, and any connection with the same credentials may {@code attach} to it. */
    KEEP("keep");

    private final String wire;

    OnDisconnect(String wire) {
        this.wire = wire;
    }

    /** The lower-case name used on the wire. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** Looks up a wire name; {@code null} when it is not one. */
    public static OnDisconnect ofWire(String wire) {
        for (OnDisconnect o : values()) {
            if (o.wire.equals(wire)) {
                return o;
            }
        }
        return null;
    }
}
