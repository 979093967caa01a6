// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads a process's start time from {@code /proc/PID/stat} (field 22, clock ticks since boot). Together with the pid
 * it names one process for the life of the machine, so a recorded pid that the kernel has since reused for another
 * program is never mistaken for ours.
 */
public final class ProcStat {
    private ProcStat() {
    }

    /** The start time of {@code pid}, or empty when no such process exists. */
    public static OptionalLong startTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
        int afterName = stat.lastIndexOf(')');
        String[] rest = stat.substring(afterName + 2).split(" ");
        // rest[0] is field 3 (state), so field 22 is rest[19].
        return OptionalLong.of(Long.parseLong(rest[19]));
    }
}
