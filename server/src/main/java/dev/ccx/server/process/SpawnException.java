// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

/** The operating system would not start a process (or it could not be supervised, and was ended at once). */
public final class SpawnException extends Exception {
    /** @param message why, in words a client can act on */
    public SpawnException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
