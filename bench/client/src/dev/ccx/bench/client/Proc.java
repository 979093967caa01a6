// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a whole command (the ccx CLI, xargs, parallel) the way a user's shell would, and times it from just before
 * the spawn to the end of its exit and output. Both pipes are drained on platform threads (a blocking pipe read on a
 * virtual thread holds a carrier; see STYLE.md).
 */
final class Proc {
    private Proc() {
    }

    /** How one run ended. */
    record Outcome(int exit, String stdout, String stderr, long nanos) {
        String describe() {
            return "exit " + exit + "\n--- stdout ---\n" + tail(stdout) + "\n--- stderr ---\n" + tail(stderr);
        }

        private static String tail(String s) {
            return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        }
    }

    /** Runs {@code argv} in {@code cwd} with stdin from /dev/null; kills it after {@code timeout}. */
    static Outcome run(List<String> argv, Path cwd, Duration timeout) {
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(argv).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
        Drain out = Drain.start(p.getInputStream());
        Drain err = Drain.start(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new BenchFailure(argv + " took longer than " + timeout);
            }
            String o = out.text();
            String e = err.text();
            return new Outcome(p.exitValue(), o, e, System.nanoTime() - t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Reads one stream to its end on a platform thread. */
    private static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                try (in) {
                    in.transferTo(buf);
                } catch (IOException e) {
                    // the process was killed
                }
            });
        }

        static Drain start(InputStream in) {
            return new Drain(in);
        }

        String text() throws InterruptedException {
            thread.join();
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
