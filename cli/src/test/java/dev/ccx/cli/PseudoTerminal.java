// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The {@code ccx} CLI (the shaded jar, in a JVM of its own) on a pseudo-terminal, as a person runs it: util-linux
 * {@code script} gives it a pty whose other side is this object. What is typed goes through the terminal's line
 * discipline, so Ctrl-C ({@code \u0003}) is SIGINT to ccx and Ctrl-D ({@code \u0004}) ends its input; what ccx
 * writes, and the terminal's echo, come back as {@link #output()} ({@code \r\n} read as {@code \n}).
 *
 * <p>{@link #waitFor} waits, bounded, on a condition that the reading thread signals; it searches from where the
 * last match ended, so a test reads the transcript in order. {@link #close()} ends the terminal (ccx gets SIGHUP) and
 * waits, bounded, for ccx and script to exit, killing whatever is left.
 */
final class PseudoTerminal implements AutoCloseable {
    private final Process script;
    private final OutputStream keys;
    private final StringBuilder output = new StringBuilder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grew = lock.newCondition();
    private int mark;
    private boolean ended;

    private PseudoTerminal(Process script) {
        this.script = script;
        this.keys = script.getOutputStream();
        Thread reader = new Thread(() -> read(script.getInputStream()), "pty-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code java -jar target/ccx.jar args...} on a new pseudo-terminal. */
    static PseudoTerminal ccx(List<String> args) {
        Path jar = Path.of("target", "ccx.jar").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        command.addAll(args);
        // exec: ccx is script's child and the terminal's foreground process, not a shell waiting for it.
        String line = "exec " + command.stream().map(PseudoTerminal::quote).collect(Collectors.joining(" "));
        try {
            return new PseudoTerminal(new ProcessBuilder("script", "-qfec", line, "/dev/null")
                    .redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start script(1) (util-linux)", e);
        }
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    private void read(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the terminal is gone
        } finally {
            lock.lock();
            try {
                ended = true;
                grew.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void append(String s) {
        lock.lock();
        try {
            output.append(s.replace("\r", ""));
            grew.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Types {@code text} (control characters included) on the terminal. */
    void type(String text) {
        try {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot type on the terminal: " + output(), e);
        }
    }

    /**
     * Waits at most {@code seconds} for {@code text} to appear after the previous match; returns the output from
     * the previous match to the end of this one.
     */
    String waitFor(String text, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        lock.lock();
        try {
            while (true) {
                int at = output.indexOf(text, mark);
                if (at >= 0) {
                    String seen = output.substring(mark, at + text.length());
                    mark = at + text.length();
                    return seen;
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError("no \"" + text + "\" on the terminal within " + seconds + " s"
                            + (ended ? " (it ended)" : "") + "; after the previous match it shows:\n"
                            + output.substring(mark));
                }
                grew.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + text, e);
        } finally {
            lock.unlock();
        }
    }

    /** Everything shown so far. */
    String output() {
        lock.lock();
        try {
            return output.toString();
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code seconds} for ccx to exit; returns its exit code (script passes it on with -e). */
    int exitCode(long seconds) throws InterruptedException {
        if (!script.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("ccx did not exit within " + seconds + " s; the terminal shows:\n" + output());
        }
        return script.exitValue();
    }

    @Override
    public void close() {
        List<ProcessHandle> inside = script.descendants().toList();
        script.destroy(); // closes the pty: ccx gets SIGHUP and closes its session
        script.onExit().completeOnTimeout(script, 20, TimeUnit.SECONDS).join();
        script.destroyForcibly();
        for (ProcessHandle p : inside) {
            if (p.onExit().completeOnTimeout(p, 20, TimeUnit.SECONDS).join().isAlive()) {
                p.destroyForcibly();
                throw new AssertionError("ccx survived its terminal: " + p.info().commandLine().orElse("?"));
            }
        }
    }
}
