// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's scheduler state from /proc (R, S, T for stopped, Z...), or '-' when it does not exist. */
public final class ProcState {
    private ProcState() {
    }

    public static char of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '-';
        }
    }

    public static boolean exists(long pid) {
        char s = of(pid);
        return s != '-' && s != 'Z';
    }
}
