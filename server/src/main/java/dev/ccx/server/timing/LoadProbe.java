// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's one-minute load average and core count, read from {@code /proc/loadavg}: one small file read, where
 * the original started {@code nvidia-smi} and sampled the CPU for a second, blocking its event loop.
 */
public final class LoadProbe {
    private static final Path LOADAVG = Path.of("/proc/loadavg");

    /** The one-minute load average, or 0 when it cannot be read. */
    public double load1() {
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
