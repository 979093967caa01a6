// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.os;

import java.io.IOException;

/** A libc call failed; the message names the call and says why in the system's words ({@code strerror}). */
public final class ErrnoException extends IOException {
    private final int errno;

    /**
     * @param call  what was called, for example {@code pipe2} or {@code posix_spawn(/bin/ls)}
     * @param errno the error number
     */
    public ErrnoException(String call, int errno) {
        super(call + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** The error number. */
    public int errno() {
        return errno;
    }
}
