// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
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
        String[] fields = fields(Long.toString(pid));
        // fields[0] is field 3 (state), so field 22 is fields[19].
        return fields == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[19]));
    }

    /** The process group of {@code pid} (field 5), or empty when no such process exists. */
    public static OptionalLong processGroup(long pid) {
        String[] f = fields(Long.toString(pid));
        return f == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[2]));
    }

    /** The session of {@code pid} (field 6), or empty when no such process exists. */
    public static OptionalLong session(long pid) {
        String[] f = fields(Long.toString(pid));
        return f == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[3]));
    }

    /**
     * Whether any process that is not a zombie belongs to group {@code pgid}. Zombies are excluded because an
     * orphan that has died stays a zombie until init gets round to reaping it, which some container inits do
     * only every few seconds; it runs nothing and holds nothing.
     */
    public static boolean hasLiveMember(long pgid) {
        String wanted = Long.toString(pgid);
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String[] f = fields(p.getFileName().toString());
                // f[0] is the state, f[2] the process group (field 5).
                if (f != null && f[2].equals(wanted) && !f[0].equals("Z") && !f[0].equals("X")) {
                    return true;
                }
            }
        } catch (IOException e) {
            return true; // cannot tell: assume alive, the caller escalates
        }
        return false;
    }

    /** Fields 3 onwards of /proc/PID/stat, or {@code null} when the process does not exist. */
    private static String[] fields(String pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", pid, "stat"));
        } catch (IOException e) {
            return null;
        }
        // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }
}
