// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

/** The two output streams of a process, with the names the wire uses for them. */
public enum StdStream {
    STDOUT("stdout"),
    STDERR("stderr");

    private final String wire;

    StdStream(String wire) {
        this.wire = wire;
    }

    /** {@code stdout} or {@code stderr}, as in {@code process.output}. */
    public String wire() {
        return wire;
    }
}
