// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/** The {@code type} of a {@code control} request; upper case on the wire, as in the original. */
public enum ControlType {
    /** SIGSTOP to the whole process group. */
    PAUSE,
    /** SIGCONT to the whole process group. */
    RESUME,
    /** SIGTERM to the group, SIGKILL after the grace period. */
    CANCEL
}
