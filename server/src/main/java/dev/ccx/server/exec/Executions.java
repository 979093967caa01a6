// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.ExecutionList;

/**
 * Where requests find executions: {@link ExecutionService} on one server, the cluster's placement in front of it on
 * many.
 */
public interface Executions {

    /**
     * Starts a command for {@code owner}. The returned execution's {@link Execution#ownerCursor()} is held in front
     * of its first notification for the caller's reply. With an {@code idempotency_key} these credentials used
     * within 24 h, it returns that key's execution instead, as a duplicate, and starts nothing.
     *
     * @throws ExecException for every reason the command cannot run
     */
    Started start(ExecOwner owner, ExecuteParams params);

    /**
     * What an execute got.
     *
     * @param execution the execution started, or the one the idempotency key started before
     * @param duplicate whether it was started before (the caller follows it like {@code attach} from its start)
     */
    record Started(Execution execution, boolean duplicate) {
    }

    /**
     * The execution {@code id}, running or retained, if {@code principal} may see it.
     *
     * @throws ExecException NO_SUCH_PROCESS otherwise, with the same message whether the id is unknown or belongs to
     *                       other credentials, so ids cannot be probed
     */
    Execution find(String id, String principal);

    /** The cluster node that runs {@code execution}, or {@code null} on a single server. */
    default String node(Execution execution) {
        return null;
    }

    /** What {@code executions} answers: running ones (oldest first), then retained ones (newest first). */
    ExecutionList list(String principal);
}
