// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

/** A store could not answer within its bound, or at all. Callers fall back; executions never see it. */
public final class TimingStoreException extends RuntimeException {
    public TimingStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
