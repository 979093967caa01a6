// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * The connection broke while it was in use: the server closed it, its process died, or the socket dropped. Every
 * request still waiting for an answer, and every execution still running on that connection, fails with this
 * exception at once; later calls on the same {@link CcxClient} fail with it too. The server ends the executions of
 * a lost connection itself (reason {@code disconnect}), so nothing started by this client keeps running there.
 */
public sealed class ConnectionLostException extends CcxException permits RequestNotSentException {
    private static final long serialVersionUID = 1L;

    /** A loss described by {@code message}. */
    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
