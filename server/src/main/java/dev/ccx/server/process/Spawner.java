// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts a program in a new session and process group via util-linux {@code setsid}, with stdin from
 * {@code /dev/null} (CLIs such as {@code claude} otherwise wait for input) and both output pipes open.
 *
 * <p>The JDK's child is never a group leader, so {@code setsid} calls {@code setsid(2)} and then execs the program
 * without forking: the returned pid is the program's own, and it is also the new pgid (measured, STYLE.md).
 *
 * <p>The spawn itself runs on a few dedicated platform threads, never on the caller's virtual thread:
 * {@code ProcessBuilder.start()} is a native fork/exec that pins its carrier for milliseconds, and a burst of
 * executes would otherwise hold every carrier, starving the supervisors that send {@code process.completed} and
 * every other session's requests (measured: docs/benchmarks.md, (c)). The caller waits unmounted.
 */
public final class Spawner implements AutoCloseable {
    private static final File DEV_NULL = new File("/dev/null");
    private final Path setsid;
    private final ExecutorService threads;

    private Spawner(Path setsid) {
        this.setsid = setsid;
        int n = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.threads = Executors.newFixedThreadPool(n,
                Thread.ofPlatform().name("ccx-spawn-", 0).daemon(true).factory());
    }

    /** Finds {@code setsid} on the system, failing with a message that says what is missing. */
    public static Spawner locate() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return new Spawner(candidate);
            }
        }
        throw new IllegalStateException("setsid (util-linux) was not found in /usr/bin, /bin or /usr/local/bin; "
                + "ccx needs it to give every command its own process group");
    }

    /**
     * Starts {@code argv} in {@code cwd} with exactly {@code env} as its environment.
     *
     * @throws IOException when the process cannot be created
     */
    public Process spawn(List<String> argv, Path cwd, Map<String, String> env) throws IOException {
        try {
            return threads.submit(() -> start(argv, cwd, env)).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while spawning", e);
        } catch (RejectedExecutionException e) {
            throw new IOException("the server is shutting down", e);
        }
    }

    private Process start(List<String> argv, Path cwd, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(argv.size() + 1);
        command.add(setsid.toString());
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        Map<String, String> childEnv = builder.environment();
        childEnv.clear();
        childEnv.putAll(env);
        return builder.start();
    }

    /** Stops the spawn threads; a spawn in progress completes. */
    @Override
    public void close() {
        threads.shutdown();
    }
}
