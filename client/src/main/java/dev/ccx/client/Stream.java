// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/** Which output stream of a process a line came from. */
public enum Stream {
    /** Standard output. */
    STDOUT,
    /** Standard error. */
    STDERR;

    static Stream ofWire(String type) {
        return "stderr".equals(type) ? STDERR : STDOUT;
    }
}
