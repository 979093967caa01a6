// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

/** The signals ccx sends, with their Linux numbers (the same on x86_64 and aarch64). */
public enum Signal {
    /** Existence probe: delivers nothing. */
    NONE(0),
    KILL(9),
    TERM(15),
    CONT(18),
    STOP(19);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
