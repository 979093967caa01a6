// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
/**
 * Result of {@code execute}: the process is running. Sent before any notification about it.
 *
 * @param status      always {@code "started"}
 * @param pid         the process id of the command (the shell, for a command string)
 * @param pgid        its process group, equal to {@code pid} because every command runs under {@code setsid}
 * @param executionId the id that addresses this execution in {@code control} and in every notification
 * @param node        cluster: the node that runs it; absent on a single server
 * @param duplicate   {@code true} when an earlier execute with the same {@code idempotency_key} started it: this
 *                    connection now follows that execution from its first notification; absent otherwise
 */
public record ExecuteResult(String status, long pid, long pgid, String executionId,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String node,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Boolean duplicate) {
    /** The result on a single server. */
    public ExecuteResult(String status, long pid, long pgid, String executionId) {
        this(status, pid, pgid, executionId, null, null);
    }
}
