// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

/** A scenario could not be measured because the server misbehaved (or the bench did); the message says how. */
final class BenchFailure extends RuntimeException {
    BenchFailure(String message) {
        super(message);
    }

    BenchFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
