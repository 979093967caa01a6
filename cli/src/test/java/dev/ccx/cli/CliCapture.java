// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the {@code ccx} command line in this JVM with stdout and stderr captured, as a test sees a terminal's. */
final class CliCapture {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs {@code ccx args...} with an empty stdin; returns its exit code. */
    int run(String... args) {
        return run(InputStream.nullInputStream(), args);
    }

    /** Runs {@code ccx args...} reading {@code stdin}; returns its exit code. */
    int run(InputStream stdin, String... args) {
        return Ccx.commandLine(stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was captured, for the next run of the same test. */
    void reset() {
        out.reset();
        err.reset();
    }
}
