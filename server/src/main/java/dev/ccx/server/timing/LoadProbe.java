// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The machine's one-minute load average and core count, read from {@code /proc/loadavg}: one small file read, where
 * the original started {@code nvidia-smi} and sampled the CPU for a second, blocking its event loop.
 *
 * <p>The kernel recomputes the load average every 5 s, so a reading is kept for a second: an execute (which asks
 * for it to scale its predicted timeout) and a finished run (which records it) do not each read the file.
 */
public final class LoadProbe {
    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier clock;
    private volatile Reading last;

    private record Reading(double load1, long atNanos) {
    }

    /** Reads the real file, on the system's monotonic clock. */
    public LoadProbe() {
        this(System::nanoTime);
    }

    LoadProbe(LongSupplier clock) {
        this.clock = clock;
    }

    /** The one-minute load average (at most a second old), or 0 when it cannot be read. */
    public double load1() {
        long now = clock.getAsLong();
        Reading r = last;
        if (r == null || now - r.atNanos() > FRESH_NANOS) {
            r = new Reading(read(), now);
            last = r;
        }
        return r.load1();
    }

    private static double read() {
        try {
            String text = Files.readString(LOADAVG);
            return Double.parseDouble(text.substring(0, text.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Cores available to this JVM. */
    public int cores() {
        return Runtime.getRuntime().availableProcessors();
    }
}
