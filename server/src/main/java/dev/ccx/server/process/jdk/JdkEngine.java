// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.jdk;

import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.os.ProcStat;
import dev.ccx.server.process.ProcessEngine;
import dev.ccx.server.process.ProcessListener;
import dev.ccx.server.process.RunningProcess;
import dev.ccx.server.process.SpawnException;
import dev.ccx.server.process.SpawnRequest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * The portable engine: {@code ProcessBuilder} starts util-linux {@code setsid}, which calls {@code setsid(2)} and
 * execs the program without forking, so the pid the JDK reports is the program's and also its pgid (measured,
 * STYLE.md). Three images per spawn ({@code jspawnhelper}, {@code setsid}, the program) and a platform thread per
 * pipe: the native engine avoids both, this one runs where it cannot.
 *
 * <p>Spawns run on a few dedicated platform threads, never on the caller's virtual thread:
 * {@code ProcessBuilder.start()} pins its carrier for milliseconds, and a burst of executes would otherwise hold
 * every carrier (measured: docs/benchmarks.md, (c)). The caller waits unmounted.
 */
public final class JdkEngine implements ProcessEngine {
    private static final File DEV_NULL = new File("/dev/null");
    private static final long SESSION_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_NANOS = 50_000;
    private final Path setsid;
    private final ExecutorService spawnThreads;
    private final ThreadFactory pumpThreads;

    private JdkEngine(Path setsid, ThreadFactory pumpThreads) {
        this.setsid = setsid;
        this.pumpThreads = pumpThreads;
        this.spawnThreads = Threads.platformPool("spawn", Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Finds {@code setsid}, failing with a message that says what is missing.
     *
     * @param pumpThreads where the threads that read the pipes come from
     */
    public static JdkEngine create(ThreadFactory pumpThreads) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return new JdkEngine(candidate, pumpThreads);
            }
        }
        throw new IllegalStateException("setsid (util-linux) was not found in /usr/bin, /bin or /usr/local/bin; "
                + "the jdk spawner needs it to give every command its own process group");
    }

    @Override
    public String name() {
        return "jdk";
    }

    /**
     * {@inheritDoc}
     *
     * <p>An interrupt of the caller does not abandon a spawn half done: the call waits for the spawn to finish (it
     * takes milliseconds), returns the process, and leaves the interrupt flag set for the caller to act on.
     */
    @Override
    public RunningProcess spawn(SpawnRequest request, ProcessListener listener) throws SpawnException {
        Future<JdkProcess> started;
        try {
            started = spawnThreads.submit(() -> start(request, listener));
        } catch (RejectedExecutionException e) {
            throw new SpawnException("the server is shutting down", e);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return started.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new SpawnException(cause instanceof IOException ? cause.getMessage() : cause.toString(),
                            cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private JdkProcess start(SpawnRequest request, ProcessListener listener) throws IOException {
        List<String> command = new ArrayList<>(request.argv().size() + 1);
        command.add(setsid.toString());
        command.add(request.program().toString());
        command.addAll(request.argv().subList(1, request.argv().size()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(request.cwd().toFile())
                .redirectInput(request.stdin() ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(DEV_NULL));
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(request.env());
        Process child = builder.start();
        awaitSessionLeader(child);
        JdkProcess process = new JdkProcess(child, listener, pumpThreads);
        listener.started(process);
        process.start();
        return process;
    }

    /**
     * Waits until {@code setsid} has made the child the leader of its own session: until then its pgid is the
     * server's, and a signal to the group {@code -pid} would reach nothing. It takes well under a millisecond;
     * a child that has not done it within a second (or has exited) is ended, and the spawn fails.
     */
    private static void awaitSessionLeader(Process child) throws IOException {
        long pid = child.pid();
        long deadline = System.nanoTime() + SESSION_WAIT_NANOS;
        while (ProcStat.session(pid).orElse(-1) != pid) {
            if (!child.isAlive()) {
                return; // setsid or the program failed at once: its exit code and stderr say why
            }
            if (System.nanoTime() - deadline > 0) {
                child.destroyForcibly();
                throw new IOException("setsid did not make process " + pid + " a session leader within 1 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS); // not a spin: the child needs the CPU
        }
    }

    /** Stops the spawn threads; a spawn in progress completes. */
    @Override
    public void close() {
        spawnThreads.shutdown();
    }
}
