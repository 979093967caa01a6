// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * A bounded wait of the client ran out: a request got no response within {@link ClientOptions#requestTimeout()},
 * or an execution that was sent CANCEL did not report its end within {@link ClientOptions#closeTimeout()}. The
 * message names the method or execution and the bound. A command that simply runs longer than the caller wanted
 * is not this exception: {@link RunningCommand#await(java.time.Duration)} cancels it and returns its result.
 */
public final class CcxTimeoutException extends CcxException {
    private static final long serialVersionUID = 1L;

    /** A timeout described by {@code message}. */
    public CcxTimeoutException(String message) {
        super(message);
    }
}
