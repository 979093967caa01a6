// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

/** A measurement whose work was not done right (wrong output, failed task): its numbers must not be reported. */
final class BenchFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BenchFailure(String message) {
        super(message);
    }

    /** Throws with {@code message} unless {@code ok}. */
    static void check(boolean ok, String message) {
        if (!ok) {
            throw new BenchFailure(message);
        }
    }
}
