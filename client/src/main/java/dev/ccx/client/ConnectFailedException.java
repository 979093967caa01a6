// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * The connection could not be opened: nothing listens, the TLS or WebSocket handshake failed (HTTP 401 for a
 * missing or wrong token, 403 for a refused origin), the server refused the session (-32003, session limit), or
 * the {@code connected} notification did not arrive within {@link ClientOptions#connectTimeout()}. Nothing is left
 * open when this is thrown.
 */
public final class ConnectFailedException extends CcxException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;

    /** A failure with the HTTP status of the refused upgrade, or -1 when there was none. */
    public ConnectFailedException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status of a refused WebSocket upgrade (401, 403...), or -1 when the failure was not one. */
    public int httpStatus() {
        return httpStatus;
    }
}
