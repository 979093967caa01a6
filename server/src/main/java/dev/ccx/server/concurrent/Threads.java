// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.concurrent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the server makes threads (Helidon's {@code ExecutorsFactory} is the model): every thread is
 * named {@code ccx-…}, is a daemon, and reports an uncaught exception to the log through one handler instead of
 * dying silently.
 *
 * <p>Platform threads are for work that blocks in native code or file I/O (pipe readers, the poller, the spill
 * writer) and for the few loops that serve everyone (timer, heartbeat): a virtual thread blocked in file I/O holds
 * its carrier. Everything that waits for a client runs on virtual threads.
 */
public final class Threads {
    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);

    /** Logs what escaped a thread's task; the task is gone, the server goes on. */
    public static final Thread.UncaughtExceptionHandler UNCAUGHT =
            (thread, e) -> LOG.error("uncaught exception in thread {}", thread.getName(), e);

    private Threads() {
    }

    /** Platform daemon threads named {@code ccx-NAME-0}, {@code ccx-NAME-1}, … */
    public static ThreadFactory platform(String name) {
        return Thread.ofPlatform().name("ccx-" + name + "-", 0).daemon(true).uncaughtExceptionHandler(UNCAUGHT)
                .factory();
    }

    /** Virtual threads named {@code ccx-NAME-0}, … */
    public static ThreadFactory virtual(String name) {
        return Thread.ofVirtual().name("ccx-" + name + "-", 0).uncaughtExceptionHandler(UNCAUGHT).factory();
    }

    /** Starts {@code task} on a new virtual thread named {@code ccx-NAME}. */
    public static Thread startVirtual(String name, Runnable task) {
        return Thread.ofVirtual().name("ccx-" + name).uncaughtExceptionHandler(UNCAUGHT).start(task);
    }

    /** Starts {@code task} on a new platform daemon thread named {@code ccx-NAME}. */
    public static Thread startPlatform(String name, Runnable task) {
        return Thread.ofPlatform().name("ccx-" + name).daemon(true).uncaughtExceptionHandler(UNCAUGHT).start(task);
    }

    /**
     * One platform thread running scheduled tasks; cancelled tasks are removed at once, so a server that arms and
     * cancels thousands of deadlines keeps a short queue.
     */
    public static ScheduledThreadPoolExecutor scheduler(String name) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, platform(name));
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    /** A fixed pool of {@code n} platform threads. */
    public static ExecutorService platformPool(String name, int n) {
        return Executors.newFixedThreadPool(n, platform(name));
    }

    /**
     * One platform thread with room for {@code queued} tasks waiting; more are refused
     * ({@link RejectedExecutionException}) instead of piling up.
     */
    public static ExecutorService platformQueue(String name, int queued) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queued),
                platform(name));
    }

    /** A new virtual thread per task. */
    public static ExecutorService virtualPerTask(String name) {
        return Executors.newThreadPerTaskExecutor(virtual(name));
    }
}
