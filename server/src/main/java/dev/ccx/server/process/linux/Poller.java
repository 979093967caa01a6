// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.linux;

import dev.ccx.server.os.ErrnoException;
import dev.ccx.server.os.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread waiting in {@code epoll_wait} for every descriptor of every native process: output pipes,
 * stdin pipes and pidfds. Level-triggered: a handler does one bounded piece of work per event (one read of at most
 * {@link #BUFFER_BYTES}), and what is left is reported again, so one busy process cannot starve the others.
 *
 * <p>Registrations carry a token, not the descriptor, in {@code epoll_event.data}: a descriptor closed and reused
 * while events for it are still in the batch being handled then finds no handler. Tasks from other threads
 * ({@link #execute}) run on the poller thread between batches; an {@code eventfd} wakes it for them.
 *
 * <p>Handlers and tasks run on the poller thread and must not block: everything the server reads from its
 * children passes through this one thread.
 */
final class Poller implements AutoCloseable {
    /** Bytes read per event; the same 64 KiB a pipe holds by default. */
    static final int BUFFER_BYTES = 65_536;
    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    private static final int MAX_EVENTS = 256;
    private static final long WAKE = 0;

    /** Receives the ready events of one registration, on the poller thread. */
    interface Handler {
        void ready(int events);
    }

    private final int epfd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment one;
    private final MemorySegment scratch;
    private final MemorySegment buffer;
    private final byte[] heap = new byte[BUFFER_BYTES];
    private final Map<Long, Handler> handlers = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong(WAKE + 1);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;
    private final Object wakeLock = new Object();
    /** The descriptors and native memory are gone; guarded by {@code wakeLock}. */
    private boolean released;

    Poller(ThreadFactory threads) throws ErrnoException {
        epfd = Libc.epollCreate();
        int fd;
        try {
            fd = Libc.eventfd();
        } catch (ErrnoException e) {
            Libc.close(epfd);
            throw e;
        }
        wakeFd = fd;
        events = arena.allocate(Libc.EPOLL_EVENT_BYTES * MAX_EVENTS, 8);
        one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        scratch = arena.allocate(16, 8);
        buffer = arena.allocate(BUFFER_BYTES, 8);
        try {
            control(Libc.EPOLL_CTL_ADD, wakeFd, Libc.EPOLLIN, WAKE, scratch);
        } catch (ErrnoException e) {
            Libc.close(wakeFd);
            Libc.close(epfd);
            throw e;
        }
        thread = threads.newThread(this::run);
        thread.start();
    }

    /**
     * A token for {@link #register}. The caller stores it before registering: an event may be handled on the poller
     * thread before {@code register} returns, and its handler must find the token it will remove.
     */
    long newToken() {
        return tokens.getAndIncrement();
    }

    /** Registers {@code fd} for {@code interest} under {@code token}, from any thread. */
    void register(long token, int fd, int interest, Handler handler) throws ErrnoException {
        handlers.put(token, handler);
        try (Arena call = Arena.ofConfined()) {
            control(Libc.EPOLL_CTL_ADD, fd, interest, token, call.allocate(16, 8));
        } catch (ErrnoException e) {
            handlers.remove(token);
            throw e;
        }
    }

    /** Registers {@code fd} again under its old token after {@link #pause}; poller thread only. */
    void unpause(long token, int fd, int interest) throws ErrnoException {
        control(Libc.EPOLL_CTL_ADD, fd, interest, token, scratch);
    }

    /** Stops watching {@code fd}, keeping its handler for {@link #unpause}; poller thread only. */
    void pause(int fd) {
        Libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
    }

    /** Stops watching {@code fd} and forgets its handler; poller thread only. The caller closes {@code fd}. */
    void remove(long token, int fd) {
        handlers.remove(token);
        Libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
    }

    /** Runs {@code task} on the poller thread, soon; after {@link #close()}, never. */
    void execute(Runnable task) {
        if (closed) {
            return;
        }
        tasks.add(task);
        wake();
    }

    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            synchronized (wakeLock) {
                if (!released) {
                    Libc.write(wakeFd, one, 8);
                }
            }
        }
    }

    /**
     * Reads once from {@code fd} into the poller's buffer; poller thread only. Returns what {@code read(2)}
     * returned; on success the bytes are in {@link #heap()}.
     */
    long read(int fd) {
        long n = Libc.read(fd, buffer, BUFFER_BYTES);
        if (n > 0) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, heap, 0, (int) n);
        }
        return n;
    }

    /** Writes up to {@link #BUFFER_BYTES} of {@code bytes} from {@code offset}; poller thread only. */
    long write(int fd, byte[] bytes, int offset) {
        int n = Math.min(BUFFER_BYTES, bytes.length - offset);
        MemorySegment.copy(bytes, offset, buffer, ValueLayout.JAVA_BYTE, 0, n);
        return Libc.write(fd, buffer, n);
    }

    /** The bytes of the last {@link #read}; poller thread only, valid until the next read. */
    byte[] heap() {
        return heap;
    }

    private void control(int op, int fd, int interest, long token, MemorySegment event) throws ErrnoException {
        event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, interest);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, Libc.EPOLL_DATA_OFFSET, token);
        if (Libc.epollCtl(epfd, op, fd, event) < 0) {
            throw new ErrnoException("epoll_ctl(" + fd + ")", Libc.errno());
        }
    }

    private void run() {
        while (!closed) {
            int n = Libc.epollWait(epfd, events, MAX_EVENTS, -1);
            if (n < 0) {
                int errno = Libc.errno();
                if (errno != Libc.EINTR) {
                    LOG.error("epoll_wait failed: {}", Libc.strerror(errno));
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                long at = i * Libc.EPOLL_EVENT_BYTES;
                int ready = events.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                long token = events.get(ValueLayout.JAVA_LONG_UNALIGNED, at + Libc.EPOLL_DATA_OFFSET);
                if (token == WAKE) {
                    // Empty the eventfd first, then clear the flag: cleared first, a wake written in between would
                    // be swallowed by this read and leave the flag set with nothing to read, and from then on no
                    // task would wake the poller (a resumed pipe waited for some other descriptor's event).
                    Libc.read(wakeFd, buffer, 8);
                    wakePending.set(false);
                    continue;
                }
                Handler handler = handlers.get(token);
                if (handler != null) {
                    try {
                        handler.ready(ready);
                    } catch (Throwable t) {
                        LOG.error("a poller handler failed", t);
                    }
                }
            }
            runTasks();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("a poller task failed", t);
            }
        }
    }

    /** Stops the thread (waiting at most a second) and closes the epoll and wake descriptors. Idempotent. */
    @Override
    public void close() {
        synchronized (wakeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        wakePending.set(false);
        wake();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            synchronized (wakeLock) {
                released = true;
                Libc.close(wakeFd);
                Libc.close(epfd);
                arena.close();
            }
        }
    }
}
