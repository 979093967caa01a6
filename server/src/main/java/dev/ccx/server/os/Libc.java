// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The libc functions ccx calls through the FFM API, with the Linux constants and struct sizes they need (the same on
 * x86_64 and aarch64 except {@code struct epoll_event}). Calls return what C returns; after a call that failed,
 * {@link #errno()} is the error number it left on this thread.
 *
 * <p>Symbols that this libc lacks (older glibc, musl) are not an error here: their handle stays {@code null},
 * {@link #missing(List)} reports them, and only the native spawner needs them. {@code kill} exists everywhere.
 */
public final class Libc {
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;

    public static final int O_RDONLY = 0;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    public static final short POSIX_SPAWN_SETSID = 0x80;

    public static final int P_PID = 1;
    public static final int P_PIDFD = 3;
    public static final int WNOHANG = 1;
    public static final int WEXITED = 4;
    public static final int CLD_EXITED = 1;

    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    public static final int SIGCHLD = 17;
    /** {@code SIG_IGN} as the handler word of a {@code struct sigaction}. */
    public static final long SIG_IGN = 1;

    /** {@code sizeof(sigset_t)}. */
    public static final long SIGSET_BYTES = 128;
    /** {@code sizeof(siginfo_t)}; {@code si_pid} at 16, {@code si_code} at 8, {@code si_status} at 24. */
    public static final long SIGINFO_BYTES = 128;
    /** Room for a {@code posix_spawnattr_t} (336 bytes in glibc). */
    public static final long SPAWNATTR_BYTES = 512;
    /** Room for a {@code posix_spawn_file_actions_t} (80 bytes in glibc). */
    public static final long FILE_ACTIONS_BYTES = 256;
    /** Room for a {@code struct sigaction} (152 bytes in glibc); the handler is its first word. */
    public static final long SIGACTION_BYTES = 256;

    private static final boolean X86_64 = isX86();
    /** {@code sizeof(struct epoll_event)}: packed (12) on x86_64, 16 elsewhere. */
    public static final long EPOLL_EVENT_BYTES = X86_64 ? 12 : 16;
    /** Offset of {@code data} in {@code struct epoll_event}. */
    public static final long EPOLL_DATA_OFFSET = X86_64 ? 4 : 8;

    private static final long SYS_PIDFD_OPEN = 434; // the same number on x86_64 and aarch64

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private static final List<String> MISSING = new ArrayList<>();

    private static final MethodHandle KILL = errno("kill", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle READ = errno("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITE = errno("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle CLOSE = errno("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle PIPE2 = errno("pipe2", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle FCNTL = errno("fcntl", FunctionDescriptor.of(INT, INT, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle WAITID = errno("waitid", FunctionDescriptor.of(INT, INT, INT, PTR, INT));
    private static final MethodHandle PIDFD_OPEN = errno("pidfd_open", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle SYSCALL3 = errno("syscall", FunctionDescriptor.of(LONG, LONG, LONG, LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle EPOLL_CREATE1 = errno("epoll_create1", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle EPOLL_CTL = errno("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, PTR));
    private static final MethodHandle EPOLL_WAIT = errno("epoll_wait", FunctionDescriptor.of(INT, INT, PTR, INT, INT));
    private static final MethodHandle EVENTFD = errno("eventfd", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle SIGACTION = errno("sigaction", FunctionDescriptor.of(INT, INT, PTR, PTR));

    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(PTR, INT));
    private static final MethodHandle SPAWN = plain("posix_spawn", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR,
            PTR));
    private static final MethodHandle ATTR_INIT = plain("posix_spawnattr_init", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle ATTR_DESTROY = plain("posix_spawnattr_destroy", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle ATTR_SETFLAGS =
            plain("posix_spawnattr_setflags", FunctionDescriptor.of(INT, PTR, SHORT));
    private static final MethodHandle ATTR_SETSIGMASK =
            plain("posix_spawnattr_setsigmask", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle ATTR_SETSIGDEFAULT =
            plain("posix_spawnattr_setsigdefault", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle FA_INIT =
            plain("posix_spawn_file_actions_init", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle FA_DESTROY =
            plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle FA_ADDOPEN = plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(INT, PTR, INT, PTR, INT, INT));
    private static final MethodHandle FA_ADDDUP2 =
            plain("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(INT, PTR, INT, INT));
    private static final MethodHandle FA_ADDCHDIR =
            plain("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle FA_ADDCLOSEFROM =
            plain("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(INT, PTR, INT));

    private Libc() {
    }

    /**
     * Adds to {@code out} every symbol of {@code required} this libc lacks (by its C name); {@code pidfd_open}
     * counts as present when {@code syscall} is.
     */
    public static void missing(List<String> out) {
        synchronized (MISSING) {
            out.addAll(MISSING);
        }
        if (PIDFD_OPEN == null && SYSCALL3 != null) {
            out.remove("pidfd_open");
        }
    }

    /** The error number the last failed call on this thread left. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /** The system's text for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    /** {@code kill(2)}: 0, or -1 with {@link #errno()}. */
    public static int kill(int pid, int signal) {
        try {
            return (int) KILL.invokeExact(STATE.get(), pid, signal);
        } catch (Throwable t) {
            throw unexpected("kill", t);
        }
    }

    /** {@code read(2)} into {@code buffer}. */
    public static long read(int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(STATE.get(), fd, buffer, count);
        } catch (Throwable t) {
            throw unexpected("read", t);
        }
    }

    /** {@code write(2)} from {@code buffer}. */
    public static long write(int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(STATE.get(), fd, buffer, count);
        } catch (Throwable t) {
            throw unexpected("write", t);
        }
    }

    /** {@code close(2)}; errors are of no use to the caller (the descriptor is gone either way). */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    /** {@code pipe2(fds, O_CLOEXEC)}: the read end at index 0, the write end at 1. */
    public static int[] pipe() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(INT, 2);
            int rc = (int) PIPE2.invokeExact(STATE.get(), fds, O_CLOEXEC);
            if (rc < 0) {
                throw new ErrnoException("pipe2", errno());
            }
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("pipe2", t);
        }
    }

    /** Sets {@code O_NONBLOCK} on {@code fd}. */
    public static void setNonBlocking(int fd) throws ErrnoException {
        try {
            int flags = (int) FCNTL.invokeExact(STATE.get(), fd, F_GETFL, 0);
            if (flags < 0 || (int) FCNTL.invokeExact(STATE.get(), fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                throw new ErrnoException("fcntl(O_NONBLOCK)", errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
    }

    /** {@code waitid(idtype, id, info, options)}. */
    public static int waitid(int idType, int id, MemorySegment info, int options) {
        try {
            return (int) WAITID.invokeExact(STATE.get(), idType, id, info, options);
        } catch (Throwable t) {
            throw unexpected("waitid", t);
        }
    }

    /** {@code pidfd_open(pid, 0)}: the glibc wrapper (2.36+), else the system call. */
    public static int pidfdOpen(int pid) throws ErrnoException {
        try {
            int fd = PIDFD_OPEN != null ? (int) PIDFD_OPEN.invokeExact(STATE.get(), pid, 0)
                    : (int) (long) SYSCALL3.invokeExact(STATE.get(), SYS_PIDFD_OPEN, (long) pid, 0L);
            if (fd < 0) {
                throw new ErrnoException("pidfd_open(" + pid + ")", errno());
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("pidfd_open", t);
        }
    }

    /** {@code epoll_create1(EPOLL_CLOEXEC)}. */
    public static int epollCreate() throws ErrnoException {
        try {
            int fd = (int) EPOLL_CREATE1.invokeExact(STATE.get(), EPOLL_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("epoll_create1", errno());
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("epoll_create1", t);
        }
    }

    /** {@code epoll_ctl}; {@code event} may be {@link MemorySegment#NULL} for a delete. */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(STATE.get(), epfd, op, fd, event);
        } catch (Throwable t) {
            throw unexpected("epoll_ctl", t);
        }
    }

    /** {@code epoll_wait}. */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(STATE.get(), epfd, events, max, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected("epoll_wait", t);
        }
    }

    /** {@code eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)}. */
    public static int eventfd() throws ErrnoException {
        try {
            int fd = (int) EVENTFD.invokeExact(STATE.get(), 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("eventfd", errno());
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("eventfd", t);
        }
    }

    /** Whether this process ignores {@code signal} (read with {@code sigaction(signal, NULL, &old)}). */
    public static boolean isIgnored(int signal) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_BYTES, 8);
            if ((int) SIGACTION.invokeExact(STATE.get(), signal, MemorySegment.NULL, old) < 0) {
                throw new ErrnoException("sigaction", errno());
            }
            return old.get(LONG, 0) == SIG_IGN;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("sigaction", t);
        }
    }

    /** {@code posix_spawn}: 0, or the error number (it does not use errno). */
    public static int posixSpawn(MemorySegment pid, MemorySegment path, MemorySegment fileActions,
                                 MemorySegment attr, MemorySegment argv, MemorySegment envp) {
        try {
            return (int) SPAWN.invokeExact(pid, path, fileActions, attr, argv, envp);
        } catch (Throwable t) {
            throw unexpected("posix_spawn", t);
        }
    }

    /** {@code posix_spawnattr_init}, then flags, signal mask and default signals. */
    public static int spawnAttr(MemorySegment attr, short flags, MemorySegment mask, MemorySegment defaults) {
        try {
            int rc = (int) ATTR_INIT.invokeExact(attr);
            if (rc == 0) {
                rc = (int) ATTR_SETFLAGS.invokeExact(attr, flags);
            }
            if (rc == 0) {
                rc = (int) ATTR_SETSIGMASK.invokeExact(attr, mask);
            }
            if (rc == 0) {
                rc = (int) ATTR_SETSIGDEFAULT.invokeExact(attr, defaults);
            }
            return rc;
        } catch (Throwable t) {
            throw unexpected("posix_spawnattr", t);
        }
    }

    /** {@code posix_spawnattr_destroy}. */
    public static void spawnAttrDestroy(MemorySegment attr) {
        try {
            int ignored = (int) ATTR_DESTROY.invokeExact(attr);
        } catch (Throwable t) {
            throw unexpected("posix_spawnattr_destroy", t);
        }
    }

    /** {@code posix_spawn_file_actions_init}. */
    public static int fileActionsInit(MemorySegment fa) {
        try {
            return (int) FA_INIT.invokeExact(fa);
        } catch (Throwable t) {
            throw unexpected("posix_spawn_file_actions_init", t);
        }
    }

    /** {@code posix_spawn_file_actions_destroy}. */
    public static void fileActionsDestroy(MemorySegment fa) {
        try {
            int ignored = (int) FA_DESTROY.invokeExact(fa);
        } catch (Throwable t) {
            throw unexpected("posix_spawn_file_actions_destroy", t);
        }
    }

    /** {@code posix_spawn_file_actions_addopen(fa, fd, path, flags, 0)}. */
    public static int fileActionsOpen(MemorySegment fa, int fd, MemorySegment path, int flags) {
        try {
            return (int) FA_ADDOPEN.invokeExact(fa, fd, path, flags, 0);
        } catch (Throwable t) {
            throw unexpected("posix_spawn_file_actions_addopen", t);
        }
    }

    /** {@code posix_spawn_file_actions_adddup2}. */
    public static int fileActionsDup2(MemorySegment fa, int fd, int newFd) {
        try {
            return (int) FA_ADDDUP2.invokeExact(fa, fd, newFd);
        } catch (Throwable t) {
            throw unexpected("posix_spawn_file_actions_adddup2", t);
        }
    }

    /** {@code posix_spawn_file_actions_addchdir_np}. */
    public static int fileActionsChdir(MemorySegment fa, MemorySegment path) {
        try {
            return (int) FA_ADDCHDIR.invokeExact(fa, path);
        } catch (Throwable t) {
            throw unexpected("posix_spawn_file_actions_addchdir_np", t);
        }
    }

    /** {@code posix_spawn_file_actions_addclosefrom_np}. */
    public static int fileActionsCloseFrom(MemorySegment fa, int from) {
        try {
            return (int) FA_ADDCLOSEFROM.invokeExact(fa, from);
        } catch (Throwable t) {
            throw unexpected("posix_spawn_file_actions_addclosefrom_np", t);
        }
    }

    private static MethodHandle errno(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, options, 1, more.length);
        return find(name, fd, options);
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return find(name, fd);
    }

    private static MethodHandle find(String name, FunctionDescriptor fd, Linker.Option... options) {
        var symbol = LIBC.find(name);
        if (symbol.isEmpty()) {
            synchronized (MISSING) {
                MISSING.add(name);
            }
            return null;
        }
        return LINKER.downcallHandle(symbol.get(), fd, options);
    }

    private static IllegalStateException unexpected(String call, Throwable t) {
        if (t instanceof NullPointerException) {
            return new IllegalStateException(call + " is not available in this libc", t);
        }
        return new IllegalStateException(call + " could not be called", t);
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}
