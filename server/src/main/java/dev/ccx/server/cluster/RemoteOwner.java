// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.server.exec.ExecOwner;
import dev.ccx.server.exec.Execution;

/**
 * The owner of an execution placed here by another node: the session is there (its limits are kept there, and it
 * follows the execution through the stream), so nothing here waits for it or counts its slots.
 *
 * @param sessionId the gateway node and the session there, for logs and the audit log
 * @param remote    the client's address
 * @param principal the client's credentials
 */
record RemoteOwner(String sessionId, String remote, String principal) implements ExecOwner {
    @Override
    public boolean tryAcquireSlot() {
        return true;
    }

    @Override
    public void releaseSlot() {
    }

    @Override
    public int slots() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void finished(Execution execution) {
    }

    @Override
    public void wake() {
    }
}
