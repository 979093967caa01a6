// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where and with what environment commands run. The working directory defaults to the one {@code ccx} was started
 * in, so that {@code ccx run -- ls} and Claude tasks act where the user is, as a local command would; with a server on
 * another machine pass {@code --cwd} (the directory must exist there).
 */
final class ExecOptions {
    @Option(names = "--cwd", paramLabel = "DIR",
            description = "Working directory on the server's machine (default: the current directory).")
    Path cwd;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Add an environment variable (repeatable).")
    Map<String, String> env = new LinkedHashMap<>();

    /** The directory to send: {@code --cwd} or the current directory, absolute. */
    String directory() {
        return (cwd != null ? cwd : Path.of("")).toAbsolutePath().normalize().toString();
    }

    /** Seconds from the command line as a duration; {@code null} stays {@code null}. */
    static Duration seconds(Double s) {
        if (s == null) {
            return null;
        }
        if (s <= 0 || s.isNaN() || s.isInfinite()) {
            throw new IllegalArgumentException("a timeout must be a positive number of seconds, got " + s);
        }
        // Rounded up to a whole nanosecond, so a tiny positive value stays positive.
        return Duration.ofNanos((long) Math.ceil(s * 1e9));
    }
}
