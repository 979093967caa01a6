// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * A request failed because its connection was already lost when it was made: it never left this client, so it is
 * safe to make again once the client has connected again (a request that fails with a plain
 * {@link ConnectionLostException} may or may not have reached the server).
 */
public final class RequestNotSentException extends ConnectionLostException {
    private static final long serialVersionUID = 1L;

    RequestNotSentException(ConnectionLostException why) {
        super("not sent: " + why.getMessage(), why);
    }
}
