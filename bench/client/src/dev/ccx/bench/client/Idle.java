// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits for idle CPUs before a measurement, as bench/run does: two consecutive seconds at least 90% idle (from
 * /proc/stat), for at most 10 s. Other builds share this machine; what it found is recorded with every number. After
 * a wait that gave up, the next ones give up after 3 s, so that a busy machine does not stretch the run by minutes.
 */
final class Idle {
    private static final int IDLE_PCT = 90;
    private boolean busy;

    /** The machine before one measurement: idle share of the CPUs over the last second, and the load average. */
    record Load(int idlePct, String loadAvg) {
        boolean quiet() {
            return idlePct >= IDLE_PCT;
        }
    }

    Load await(String what) {
        long deadline = System.nanoTime() + (busy ? 3_000_000_000L : 10_000_000_000L);
        int quiet = 0;
        int idle;
        do {
            idle = idlePct();
            quiet = idle >= IDLE_PCT ? quiet + 1 : 0;
        } while (quiet < 2 && System.nanoTime() < deadline);
        busy = idle < IDLE_PCT;
        Load load = new Load(idle, loadAvg());
        if (busy) {
            System.err.printf("bench/client/run: WARNING: the CPUs were only %d%% idle before %s (load %s)%n", idle,
                    what, load.loadAvg());
        }
        return load;
    }

    /** The 1-, 5- and 15-minute load averages. */
    static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int idlePct() {
        long[] a = cpu();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        long[] b = cpu();
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += b[i] - a[i];
        }
        long idle = (b[3] + b[4]) - (a[3] + a[4]); // idle + iowait
        return total == 0 ? 100 : (int) (100 * idle / total);
    }

    /** user nice system idle iowait irq softirq steal, from the first line of /proc/stat. */
    private static long[] cpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long[] v = new long[8];
            for (int i = 0; i < 8; i++) {
                v[i] = Long.parseLong(f[i + 1]);
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
