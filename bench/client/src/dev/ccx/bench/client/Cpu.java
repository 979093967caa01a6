// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent during a measurement, in clock ticks of 10 ms (USER_HZ 100), from /proc: the whole machine's busy
 * time (everything but idle and iowait, so other work on the machine shows here too), the ccx server's JVM (its
 * own user and system time), the commands the server ran (its children, counted when it reaps them), and the
 * client side: this harness plus the children it waited for (the CLI's JVM, xargs and its shells, a direct Claude
 * Code run). Summed over many runs, the ticks give a fair average even where one run is shorter than a tick.
 */
final class Cpu {
    static final double TICK_MS = 10.0;

    private final long serverPid;
    private long machine;
    private long server;
    private long commands;
    private long client;
    private int runs;

    Cpu(long serverPid) {
        this.serverPid = serverPid;
    }

    /** A reading: machine busy, server JVM, the server's reaped children, client side. */
    long[] now() {
        long[] server = serverPid > 0 ? times(Path.of("/proc/" + serverPid + "/stat")) : new long[2];
        long[] self = times(Path.of("/proc/self/stat"));
        return new long[] {machineBusy(), server[0], server[1], self[0] + self[1]};
    }

    /** Adds the ticks between {@code before} and now to this account, as one run. */
    void add(long[] before) {
        long[] after = now();
        machine += after[0] - before[0];
        server += after[1] - before[1];
        commands += after[2] - before[2];
        client += after[3] - before[3];
        runs++;
    }

    double machineMsPerRun() {
        return machine * TICK_MS / runs;
    }

    double serverMsPerRun() {
        return server * TICK_MS / runs;
    }

    double commandsMsPerRun() {
        return commands * TICK_MS / runs;
    }

    double clientMsPerRun() {
        return client * TICK_MS / runs;
    }

    private static long machineBusy() {
        String[] f = read(Path.of("/proc/stat")).lines().findFirst().orElseThrow().trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    /** A process's own utime + stime, and the cutime + cstime of the children it waited for. */
    private static long[] times(Path stat) {
        String s = read(stat);
        // The command name (field 2) may hold spaces; the fields after it start after the last ')'.
        String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), // fields 14 and 15
            Long.parseLong(f[13]) + Long.parseLong(f[14])};                // fields 16 and 17
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
