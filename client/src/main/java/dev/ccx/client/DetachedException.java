// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * The handle no longer follows its execution (it was detached, or the client closed while it was kept), which runs
 * on on the server: {@link CcxClient#attach} with {@link #executionId()} and {@link #lastSeq()} takes it up again
 * exactly where this handle stopped.
 */
public final class DetachedException extends CcxException {
    private final String executionId;
    private final long lastSeq;

    DetachedException(String executionId, long lastSeq) {
        super("detached from execution " + executionId + " after seq " + lastSeq + "; it runs on: attach with "
                + "from_seq " + lastSeq + " to go on from there", null);
        this.executionId = executionId;
        this.lastSeq = lastSeq;
    }

    /** The execution, still running (or retained) on the server. */
    public String executionId() {
        return executionId;
    }

    /** The {@code seq} of the last notification this handle received. */
    public long lastSeq() {
        return lastSeq;
    }
}
