// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/** The outcome of one task of a {@link Batch} or {@link TaskList}. */
public enum TaskStatus {
    /** It exited on its own with code 0. */
    SUCCESS,
    /** It ran and ended otherwise: a non-zero exit code, or canceled. */
    FAILED,
    /** A deadline ended it: the server's timeout or idle timeout, or the client's bound. */
    TIMEOUT,
    /** It could not run or its end is unknown: refused by the server, connection lost, server shutting down. */
    ERROR,
    /** Not run, because an earlier task of a {@link TaskList} with {@code stopOnFailure} did not succeed. */
    SKIPPED
}
