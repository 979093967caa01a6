// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * The one unchecked root of every failure the client reports. Catch this to handle them all; catch a subclass to
 * tell them apart:
 * <ul>
 *   <li>{@link ConnectFailedException}: the connection could not be opened (refused, 401, session limit);</li>
 *   <li>{@link ConnectionLostException}: an open connection broke (server gone, socket dropped);</li>
 *   <li>{@link ClientClosedException}: the {@link CcxClient} was closed by its owner;</li>
 *   <li>{@link RequestFailedException}: the server answered a request with a JSON-RPC error;</li>
 *   <li>{@link CcxTimeoutException}: a bounded wait of the client itself ran out.</li>
 * </ul>
 * How a command ended (non-zero exit, timeout, cancel) is never an exception; it is {@link CommandResult} data.
 */
public class CcxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that says what happened, and to what. */
    public CcxException(String message) {
        super(message);
    }

    /** An error caused by {@code cause}. */
    public CcxException(String message, Throwable cause) {
        super(message, cause);
    }
}
