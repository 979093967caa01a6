// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * The {@link CcxClient} was closed by its owner. Requests made after {@link CcxClient#close()}, and handles whose
 * execution did not confirm its end within the close bound, fail with this exception.
 */
public final class ClientClosedException extends CcxException {
    private static final long serialVersionUID = 1L;

    /** A call on a closed client. */
    public ClientClosedException(String message) {
        super(message);
    }
}
