// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.linux;

import dev.ccx.server.os.ErrnoException;
import dev.ccx.server.os.Libc;
import dev.ccx.server.process.ProcessListener;
import dev.ccx.server.process.RunningProcess;
import dev.ccx.server.process.StdStream;
import dev.ccx.server.process.StdinWrite;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;

/**
 * A process of the {@link NativeEngine}: its pipes and its pidfd, watched by the {@link Poller}. All state below
 * belongs to the poller thread; the public methods hand their work to it.
 */
final class NativeProcess implements RunningProcess {
    private static final int READ_EVENTS = Libc.EPOLLIN;

    private final int pid;
    private final Poller poller;
    private final ProcessListener listener;
    private final Pipe[] outputs;
    private final Stdin stdin;
    private int pidfd = -1;
    private long pidToken;

    NativeProcess(int pid, int stdout, int stderr, int stdinFd, Poller poller, ProcessListener listener) {
        this.pid = pid;
        this.poller = poller;
        this.listener = listener;
        this.outputs = new Pipe[] {new Pipe(StdStream.STDOUT, stdout), new Pipe(StdStream.STDERR, stderr)};
        this.stdin = stdinFd < 0 ? null : new Stdin(stdinFd);
    }

    @Override
    public long pid() {
        return pid;
    }

    /**
     * Watches the pipes and the exit. When no pidfd can be had, a platform thread waits for the exit instead.
     *
     * @throws ErrnoException when the pipes cannot be watched, or no exit watcher can be had; nothing is registered
     *                        then, and the caller ends the process
     */
    void watch(ThreadFactory fallbackWaiters) throws ErrnoException {
        try {
            for (Pipe p : outputs) {
                p.token = poller.newToken();
                poller.register(p.token, p.fd, READ_EVENTS, p::ready);
            }
            watchExit(fallbackWaiters);
        } catch (Throwable t) {
            poller.execute(this::unwatch);
            throw t;
        }
    }

    private void watchExit(ThreadFactory fallbackWaiters) throws ErrnoException {
        try {
            pidfd = Libc.pidfdOpen(pid);
        } catch (ErrnoException e) {
            Thread waiter = fallbackWaiters.newThread(this::waitBlocking);
            if (waiter == null) {
                throw e;
            }
            waiter.start();
            return;
        }
        try {
            pidToken = poller.newToken();
            poller.register(pidToken, pidfd, Libc.EPOLLIN, this::exitReady);
        } catch (ErrnoException e) {
            Libc.close(pidfd);
            pidfd = -1;
            throw e;
        }
    }

    /** Undoes {@link #watch} after a failure: descriptors deregistered and closed; nothing is reported. */
    private void unwatch() {
        for (Pipe p : outputs) {
            if (p.token != 0) {
                poller.remove(p.token, p.fd);
            }
            Libc.close(p.fd);
            p.open = false;
        }
        if (pidfd >= 0) {
            poller.remove(pidToken, pidfd);
            Libc.close(pidfd);
        }
        if (stdin != null) {
            Libc.close(stdin.fd);
        }
    }

    private void exitReady(int events) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Libc.SIGINFO_BYTES, 8);
            if (Libc.waitid(Libc.P_PIDFD, pidfd, info, Libc.WEXITED | Libc.WNOHANG) < 0) {
                int errno = Libc.errno();
                if (errno == Libc.EINTR) {
                    return;
                }
                finishExit(-1);
                return;
            }
            if (info.get(ValueLayout.JAVA_INT, 16) == 0) {
                return; // not exited after all (a spurious wake-up)
            }
            finishExit(exitCode(info));
        }
    }

    private void finishExit(int code) {
        poller.remove(pidToken, pidfd);
        Libc.close(pidfd);
        pidfd = -1;
        closeStdinAtExit();
        listener.exited(code);
    }

    /** A process that has exited reads nothing more: pending writes fail, and the pipe is closed. */
    private void closeStdinAtExit() {
        if (stdin != null) {
            stdin.fail(new IOException("the process has exited"));
        }
    }

    /** Fallback when there is no pidfd: a blocking {@code waitid} on a thread of its own, for this pid only. */
    private void waitBlocking() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Libc.SIGINFO_BYTES, 8);
            int code = -1;
            while (true) {
                if (Libc.waitid(Libc.P_PID, pid, info, Libc.WEXITED) == 0) {
                    code = exitCode(info);
                    break;
                }
                if (Libc.errno() != Libc.EINTR) {
                    break;
                }
            }
            poller.execute(this::closeStdinAtExit);
            listener.exited(code);
        }
    }

    /** The exit code as the shell reports it: the status, or 128 + the signal that ended the process. */
    static int exitCode(MemorySegment siginfo) {
        int code = siginfo.get(ValueLayout.JAVA_INT, 8);
        int status = siginfo.get(ValueLayout.JAVA_INT, 24);
        return code == Libc.CLD_EXITED ? status : 128 + status;
    }

    @Override
    public void resume(StdStream stream) {
        poller.execute(() -> outputs[stream.ordinal()].unpause());
    }

    @Override
    public void closeOutput() {
        poller.execute(() -> {
            for (Pipe p : outputs) {
                p.end(null);
            }
        });
    }

    @Override
    public StdinWrite writeStdin(byte[] bytes) {
        StdinWrite write = new StdinWrite(bytes);
        if (stdin == null) {
            write.done().completeExceptionally(new IllegalStateException("the process has no stdin pipe"));
            return write;
        }
        poller.execute(() -> stdin.queue(write));
        return write;
    }

    @Override
    public void withdrawStdin(StdinWrite write) {
        RunningProcess.super.withdrawStdin(write);
        if (stdin != null) {
            poller.execute(() -> stdin.withdraw(write));
        }
    }

    @Override
    public void closeStdin() {
        if (stdin != null) {
            poller.execute(stdin::closeWhenWritten);
        }
    }

    /** One output pipe. */
    private final class Pipe {
        final StdStream stream;
        final int fd;
        long token;
        boolean open = true;
        boolean paused;

        Pipe(StdStream stream, int fd) {
            this.stream = stream;
            this.fd = fd;
        }

        void ready(int events) {
            long n = poller.read(fd);
            if (n > 0) {
                if (!listener.output(stream, poller.heap(), 0, (int) n) && open) {
                    poller.pause(fd);
                    paused = true;
                }
            } else if (n == 0) {
                end(null);
            } else {
                int errno = Libc.errno();
                if (errno != Libc.EAGAIN && errno != Libc.EINTR) {
                    end(new ErrnoException("read(" + stream.wire() + ")", errno));
                }
            }
        }

        void unpause() {
            if (!open || !paused) {
                return;
            }
            paused = false;
            try {
                poller.unpause(token, fd, READ_EVENTS);
            } catch (ErrnoException e) {
                end(e);
            }
        }

        void end(IOException failure) {
            if (!open) {
                return;
            }
            open = false;
            poller.remove(token, fd);
            Libc.close(fd);
            listener.closed(stream, failure);
        }
    }

    /** The stdin pipe: writes queue here and go out as the pipe takes them. */
    private final class Stdin {
        final int fd;
        final ArrayDeque<StdinWrite> queue = new ArrayDeque<>();
        long token;
        boolean watching;
        boolean closing;
        boolean closed;

        Stdin(int fd) {
            this.fd = fd;
        }

        void queue(StdinWrite write) {
            if (closed || closing) {
                write.done().completeExceptionally(new IOException("stdin is closed"));
                return;
            }
            queue.add(write);
            flush();
        }

        void withdraw(StdinWrite write) {
            if (queue.remove(write)) {
                write.done().completeExceptionally(new IOException("withdrawn"));
                if (queue.isEmpty()) {
                    watch(false);
                    if (closing) {
                        close();
                    }
                }
            }
        }

        void closeWhenWritten() {
            closing = true;
            flush();
        }

        void ready(int events) {
            flush();
        }

        private void flush() {
            while (!queue.isEmpty()) {
                StdinWrite w = queue.peek();
                int offset = w.written();
                if (offset < w.bytes().length) {
                    long n = poller.write(fd, w.bytes(), offset);
                    if (n < 0) {
                        int errno = Libc.errno();
                        if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                            watch(true);
                            return;
                        }
                        fail(new ErrnoException("write(stdin)", errno));
                        return;
                    }
                    w.wrote((int) n);
                    if (w.written() < w.bytes().length) {
                        continue;
                    }
                }
                queue.poll();
                w.done().complete(null);
            }
            watch(false);
            if (closing) {
                close();
            }
        }

        /** Watches for room in the pipe only while bytes wait: a writable pipe is otherwise ready all the time. */
        private void watch(boolean wanted) {
            if (wanted == watching || closed) {
                return;
            }
            try {
                if (wanted) {
                    if (token == 0) {
                        long t = poller.newToken();
                        poller.register(t, fd, Libc.EPOLLOUT, this::ready); // on the poller: no event before this
                        token = t;
                    } else {
                        poller.unpause(token, fd, Libc.EPOLLOUT);
                    }
                } else {
                    poller.pause(fd);
                }
                watching = wanted;
            } catch (ErrnoException e) {
                fail(e);
            }
        }

        private void fail(IOException e) {
            for (StdinWrite w : queue) {
                w.done().completeExceptionally(e);
            }
            queue.clear();
            close();
        }

        private void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (token != 0) {
                poller.remove(token, fd);
            }
            Libc.close(fd);
        }
    }

}
