// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.linux;

import dev.ccx.server.os.ErrnoException;
import dev.ccx.server.os.Libc;
import dev.ccx.server.os.ProcStat;
import dev.ccx.server.process.ProcessEngine;
import dev.ccx.server.process.ProcessListener;
import dev.ccx.server.process.RunningProcess;
import dev.ccx.server.process.Signal;
import dev.ccx.server.process.SpawnException;
import dev.ccx.server.process.SpawnRequest;
import dev.ccx.server.process.StdStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The native engine: one {@code posix_spawn} per process through the FFM API, no helper image and no thread per
 * process.
 *
 * <ul>
 *   <li>{@code POSIX_SPAWN_SETSID}: the child is the leader of its own session and group (pid == pgid == sid).
 *   <li>{@code POSIX_SPAWN_SETSIGMASK} with an empty mask and {@code POSIX_SPAWN_SETSIGDEF} with every signal:
 *       a child of a JVM thread would otherwise inherit a blocked SIGQUIT and whatever the JVM ignores. The child
 *       starts as from a shell: nothing blocked, nothing ignored.
 *   <li>Pipes from {@code pipe2(O_CLOEXEC)}; only the parent's ends are made non-blocking (the child gets a normal
 *       blocking pipe). File actions: stdin from {@code /dev/null} or a pipe, stdout and stderr to the pipes,
 *       {@code addchdir_np} for the working directory, {@code addclosefrom_np(3)} so the child inherits no other
 *       descriptor of the JVM.
 *   <li>The exit comes from a pidfd ({@code pidfd_open}, then {@code waitid(P_PIDFD)} when it is readable), apart
 *       from the pipes: a grandchild that keeps a pipe open does not hide the exit. ccx never waits for "any
 *       child" and never becomes a subreaper: the JDK reaps its own children, ccx reaps exactly the ones it made.
 *   <li>All descriptors are watched by one {@link Poller} thread.
 * </ul>
 *
 * <p>{@code posix_spawn} runs on the caller's thread: glibc clones with {@code CLONE_VFORK} on a small stack of
 * its own, so a spawn costs the same whatever the size of the JVM, about 0.1 ms here (measured:
 * shared/reference/next-capabilities.md), short enough to run even on a virtual thread's carrier.
 */
public final class NativeEngine implements ProcessEngine {
    private static final List<String> REQUIRED = List.of("posix_spawn", "posix_spawnattr_init",
            "posix_spawnattr_setflags", "posix_spawnattr_setsigmask", "posix_spawnattr_setsigdefault",
            "posix_spawnattr_destroy", "posix_spawn_file_actions_init", "posix_spawn_file_actions_addopen",
            "posix_spawn_file_actions_adddup2", "posix_spawn_file_actions_addchdir_np",
            "posix_spawn_file_actions_addclosefrom_np", "posix_spawn_file_actions_destroy", "pipe2", "fcntl",
            "waitid", "pidfd_open", "epoll_create1", "epoll_ctl", "epoll_wait", "eventfd", "sigaction", "read",
            "write", "close", "kill");
    private static final short FLAGS =
            (short) (Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF);

    private final Poller poller;
    private final ThreadFactory fallbackWaiters;

    /**
     * @param threads where the poller thread (and, should {@code pidfd_open} fail, exit waiters) come from
     * @throws ErrnoException when epoll or eventfd cannot be had
     */
    public NativeEngine(ThreadFactory threads) throws ErrnoException {
        this.poller = new Poller(threads);
        this.fallbackWaiters = threads;
    }

    /** Why this machine cannot use the native engine, judged without running anything, or {@code null}. */
    public static String unsupported() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux")) {
            return "not Linux (" + os + ")";
        }
        if (!List.of("amd64", "x86_64", "aarch64").contains(arch)) {
            return "no struct layouts for " + arch;
        }
        List<String> missing = new java.util.ArrayList<>();
        try {
            Libc.missing(missing);
        } catch (LinkageError | RuntimeException e) {
            return "libc cannot be called: " + e;
        }
        missing.retainAll(REQUIRED);
        if (!missing.isEmpty()) {
            return "libc lacks " + String.join(", ", missing) + " (glibc 2.34 or newer has them)";
        }
        try {
            if (Libc.isIgnored(Libc.SIGCHLD)) {
                return "SIGCHLD is ignored, so the kernel would reap children before ccx can read their exit";
            }
        } catch (ErrnoException e) {
            return e.getMessage();
        }
        return null;
    }

    /**
     * Starts one child the way every command will be started, and checks what the kernel says about it: it leads
     * its own session and group, its exit is reported, and it is reaped. Returns the problem, or {@code null}.
     */
    public String selfTest() {
        Path cat = Stream.of("/bin/cat", "/usr/bin/cat").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElse(null);
        if (cat == null) {
            return "no cat program to test with";
        }
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        RunningProcess child;
        try {
            child = spawn(new SpawnRequest(cat, List.of("cat"), Path.of("/"), Map.of(), true), new ProcessListener() {
                @Override
                public void started(RunningProcess process) {
                }

                @Override
                public boolean output(StdStream stream, byte[] bytes, int offset, int length) {
                    return true;
                }

                @Override
                public void closed(StdStream stream, java.io.IOException failure) {
                }

                @Override
                public void exited(int exitCode) {
                    exit.complete(exitCode);
                }
            });
        } catch (SpawnException e) {
            return "a test child could not be started: " + e.getMessage();
        }
        long pid = child.pid();
        OptionalLong pgid = ProcStat.processGroup(pid);
        OptionalLong sid = ProcStat.session(pid);
        child.closeStdin();
        int code;
        try {
            code = exit.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException | TimeoutException e) {
            Libc.kill(-(int) pid, Signal.KILL.number());
            return "the exit of a test child was not reported within 5 s";
        }
        if (pgid.orElse(-1) != pid || sid.orElse(-1) != pid) {
            return "a test child was not the leader of its own session and group (pid " + pid + ", pgid "
                    + pgid + ", sid " + sid + ")";
        }
        if (code != 0) {
            return "a test child exited with " + code;
        }
        if (Libc.kill((int) pid, 0) == 0 || Libc.errno() != Libc.ESRCH) {
            return "a test child was not reaped";
        }
        return null;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public RunningProcess spawn(SpawnRequest request, ProcessListener listener) throws SpawnException {
        int[] out = null;
        int[] err = null;
        int[] in = null;
        int pid = -1;
        try {
            out = Libc.pipe();
            err = Libc.pipe();
            in = request.stdin() ? Libc.pipe() : null;
            pid = posixSpawn(request, out[1], err[1], in == null ? -1 : in[0]);
            Libc.setNonBlocking(out[0]);
            Libc.setNonBlocking(err[0]);
            if (in != null) {
                Libc.setNonBlocking(in[1]);
            }
        } catch (ErrnoException e) {
            closeEnd(out, 0);
            closeEnd(err, 0);
            closeEnd(in, 1);
            if (pid > 0) {
                killAndReap(pid);
            }
            throw new SpawnException("error=" + e.errno() + ", " + Libc.strerror(e.errno()), e);
        } finally {
            // The child has its own copies (or never came): the parent keeps only its own ends.
            closeEnd(out, 1);
            closeEnd(err, 1);
            closeEnd(in, 0);
        }
        NativeProcess process = new NativeProcess(pid, out[0], err[0], in == null ? -1 : in[1], poller, listener);
        listener.started(process);
        try {
            process.watch(fallbackWaiters);
        } catch (ErrnoException | RuntimeException | OutOfMemoryError e) {
            // A child exists that nothing would supervise: end its group and reap it, never leave it behind.
            killAndReap(pid);
            throw new SpawnException("cannot supervise process " + pid + " (it was killed): " + e.getMessage(), e);
        }
        return process;
    }

    private static int posixSpawn(SpawnRequest request, int stdout, int stderr, int stdin) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(Libc.FILE_ACTIONS_BYTES, 16);
            MemorySegment attr = arena.allocate(Libc.SPAWNATTR_BYTES, 16);
            check(Libc.fileActionsInit(actions), "posix_spawn_file_actions_init");
            try {
                check(stdin < 0 ? Libc.fileActionsOpen(actions, 0, arena.allocateFrom("/dev/null"), Libc.O_RDONLY)
                        : Libc.fileActionsDup2(actions, stdin, 0), "stdin");
                check(Libc.fileActionsDup2(actions, stdout, 1), "stdout");
                check(Libc.fileActionsDup2(actions, stderr, 2), "stderr");
                check(Libc.fileActionsChdir(actions, arena.allocateFrom(request.cwd().toString())), "chdir");
                check(Libc.fileActionsCloseFrom(actions, 3), "closefrom");
                MemorySegment mask = arena.allocate(Libc.SIGSET_BYTES, 8); // zeroed: nothing blocked
                // Every bit set, glibc's own two real-time signals included: sigfillset leaves those out, and
                // posix_spawn then hands them to the child ignored (as ProcessBuilder's children get them).
                MemorySegment defaults = arena.allocate(Libc.SIGSET_BYTES, 8).fill((byte) 0xFF);
                check(Libc.spawnAttr(attr, FLAGS, mask, defaults), "posix_spawnattr");
                try {
                    MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                    int rc = Libc.posixSpawn(pid, arena.allocateFrom(request.program().toString()), actions, attr,
                            strings(arena, request.argv()), strings(arena, environment(request.env())));
                    check(rc, "posix_spawn");
                    return pid.get(ValueLayout.JAVA_INT, 0);
                } finally {
                    Libc.spawnAttrDestroy(attr);
                }
            } finally {
                Libc.fileActionsDestroy(actions);
            }
        }
    }

    private static void check(int rc, String what) throws ErrnoException {
        if (rc != 0) {
            throw new ErrnoException(what, rc);
        }
    }

    private static List<String> environment(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /** Ends the group of a child that cannot be supervised, and reaps the child so no zombie is left. */
    private static void killAndReap(int pid) {
        Libc.kill(-pid, Signal.KILL.number());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Libc.SIGINFO_BYTES, 8);
            while (Libc.waitid(Libc.P_PID, pid, info, Libc.WEXITED) < 0 && Libc.errno() == Libc.EINTR) {
                // retry: SIGKILL is on its way, the wait is short
            }
        }
    }

    /** Closes end 0 (read) or 1 (write) of {@code pipe}, if it was made. */
    private static void closeEnd(int[] pipe, int end) {
        if (pipe != null) {
            Libc.close(pipe[end]);
        }
    }

    @Override
    public void close() {
        poller.close();
    }
}
