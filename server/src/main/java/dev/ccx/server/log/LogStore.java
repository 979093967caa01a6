// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

import dev.ccx.server.concurrent.Threads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the {@link SpillingLog}s of the server and owns what they share: the spill directory, the total disk
 * budget, and the one platform thread that writes spills to disk and deletes files (disk I/O happens there, never
 * on the poller, a timer or a client's writer, and never under a log's lock).
 *
 * <p>The directory is emptied at start: a restarted server has ended every execution of the previous one.
 */
public final class LogStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);

    /**
     * @param memoryBytes      per log: bytes of recent frames kept in memory before older ones go to disk (a log
     *                         holds up to twice this while the disk is behind or full, then the producer waits)
     * @param memoryTotalBytes all logs: bytes of frames in memory; past it every log that holds more than
     *                         {@link SpillingLog#SHARE_BYTES} spills, and past twice it their producers wait
     * @param maxBytes         per log: bytes on disk at most
     * @param totalBytes       all logs: bytes on disk at most
     * @param retainedBytes    the logs of ended executions, kept for replay: bytes on disk at most; past it the log
     *                         that ended first goes (so that a steady flood of output is deleted before the kernel
     *                         has to write it back, instead of piling up for the whole retention)
     */
    public record Limits(long memoryBytes, long memoryTotalBytes, long maxBytes, long totalBytes,
                         long retainedBytes) {
        public Limits {
            if (memoryBytes < 4096) {
                throw new IllegalArgumentException("log_memory: " + memoryBytes + " (expected: >= 4096)");
            }
            if (memoryTotalBytes < memoryBytes) {
                throw new IllegalArgumentException("log memory in all: " + memoryTotalBytes
                        + " (expected: >= log_memory)");
            }
            if (maxBytes < memoryBytes) {
                throw new IllegalArgumentException("log_max: " + maxBytes + " (expected: >= log_memory)");
            }
            if (totalBytes < maxBytes) {
                throw new IllegalArgumentException("log_total: " + totalBytes + " (expected: >= log_max)");
            }
            if (retainedBytes < 0) {
                throw new IllegalArgumentException("retain_bytes: " + retainedBytes + " (expected: >= 0)");
            }
        }
    }

    private final Path dir;
    private final Limits limits;
    private final AtomicLong diskUsed = new AtomicLong();
    /** Disk held by the files of ended logs, as counted when each one ended. */
    private final AtomicLong retainedDisk = new AtomicLong();
    private final LongAdder memoryUsed = new LongAdder();
    private final Map<String, SpillingLog> logs = new ConcurrentHashMap<>();
    private final Set<SpillingLog> waitingForDisk = ConcurrentHashMap.newKeySet();
    private final Set<SpillingLog> waitingForRoom = ConcurrentHashMap.newKeySet();
    /** Ended logs, retained for replay, in the order they ended. */
    private final java.util.concurrent.ConcurrentLinkedDeque<SpillingLog> endedOrder =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final LinkedBlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    /** Opens the store in {@code dir} (created if needed, emptied of earlier spill files). */
    public LogStore(Path dir, Limits limits) {
        this.dir = dir;
        this.limits = limits;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.log")) {
                for (Path p : old) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the log directory " + dir, e);
        }
        this.worker = Threads.startPlatform("log-disk", this::work);
    }

    /**
     * A new, empty log for {@code executionId}.
     *
     * @param keepAll keep every frame the disk limits allow, the producer waiting for the disk thread when memory is
     *                full (a kept execution, whose client comes back for any of it); otherwise, when memory is full
     *                and the disk thread is behind, output every follower has read goes instead
     */
    public ExecutionLog create(String executionId, boolean keepAll) {
        return create(executionId, keepAll, 1);
    }

    /** A new, empty log whose first frame will get {@code firstSeq} (a log that continues another's). */
    public ExecutionLog create(String executionId, boolean keepAll, long firstSeq) {
        SpillingLog log = new SpillingLog(executionId, this, limits, keepAll, firstSeq);
        logs.put(executionId, log);
        return log;
    }

    /** Bytes of frames held in memory by every log now. */
    public long memoryBytes() {
        return memoryUsed.sum();
    }

    /**
     * A log took ({@code delta > 0}) or let go of memory. Memory let go can give room to producers of other logs
     * that waited for the total to fall: they look again, on the disk thread.
     */
    void addMemory(long delta) {
        memoryUsed.add(delta);
        if (delta < 0 && !waitingForRoom.isEmpty() && !memoryOver(2)) {
            submit(() -> {
                for (SpillingLog waiting : List.copyOf(waitingForRoom)) {
                    waitingForRoom.remove(waiting);
                    waiting.lookForRoom();
                }
            });
        }
    }

    /** {@code log} has producers waiting for room; they are told when the logs together hold less. */
    void waitForRoom(SpillingLog log) {
        waitingForRoom.add(log);
    }

    /** Whether the logs together hold more than {@code times} the memory budget. */
    boolean memoryOver(int times) {
        return memoryUsed.sum() > times * limits.memoryTotalBytes();
    }

    /** Bytes of spill files on disk now. */
    public long diskBytes() {
        return diskUsed.get();
    }

    /** Logs held now. */
    public int size() {
        return logs.size();
    }

    /** Runs {@code task} on the disk thread. */
    void submit(Runnable task) {
        if (!closed) {
            work.add(task);
        }
    }

    /** Creates spill file {@code index} of {@code executionId}. */
    Segment newSegment(String executionId, int index) throws IOException {
        return Segment.create(dir.resolve(executionId + "-" + index + ".log"));
    }

    /** Takes {@code bytes} of the total disk budget, if it has them. */
    boolean reserve(long bytes) {
        while (true) {
            long used = diskUsed.get();
            if (used + bytes > limits.totalBytes()) {
                return false;
            }
            if (diskUsed.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    /**
     * Returns {@code bytes} to the budget; the logs that waited for it try again, later, on the disk thread (so a
     * log may call this under its own lock).
     */
    void unreserve(long bytes) {
        if (bytes <= 0) {
            return;
        }
        diskUsed.addAndGet(-bytes);
        if (!waitingForDisk.isEmpty()) {
            submit(() -> {
                for (SpillingLog waiting : List.copyOf(waitingForDisk)) {
                    waitingForDisk.remove(waiting);
                    waiting.retrySpill();
                }
            });
        }
    }

    /** {@code log} could not spill for want of total budget; it is retried when budget is returned. */
    void waitForDisk(SpillingLog log) {
        waitingForDisk.add(log);
    }

    /** Whether {@code log} is waiting for disk room (its producer is held back once its memory is full). */
    boolean isWaitingForDisk(ExecutionLog log) {
        return waitingForDisk.contains(log);
    }

    /** {@code log} has ended: it is retained for replay, and may give way to live logs that need disk room. */
    void ended(SpillingLog log) {
        endedOrder.add(log);
    }

    /**
     * {@code requester} needs disk room the total limit does not have: the retained log that ended first, followed
     * by nobody, goes (its execution stays listed; an attach to it gets the position error). On the disk thread.
     */
    void reclaim(SpillingLog requester) {
        for (SpillingLog log : endedOrder) {
            if (log != requester && log.reclaimable()) {
                LOG.info("log {}: dropped to make disk room for running executions (log_total)", log.id());
                drop(log);
                return;
            }
        }
    }

    /**
     * An ended log has its output on disk: while the ended logs together hold more than the retained budget, the
     * one that ended first, followed by nobody, goes. On the disk thread.
     */
    void trimRetained(long addedBytes) {
        long held = retainedDisk.addAndGet(addedBytes);
        for (SpillingLog log : endedOrder) {
            if (held <= limits.retainedBytes()) {
                return;
            }
            if (log.reclaimable()) {
                LOG.debug("log {}: dropped, the ended logs held more than retain_bytes", log.id());
                drop(log); // gives its counted bytes back
                held = retainedDisk.get();
            }
        }
    }

    /** Drops a retained log now, on the disk thread: its execution stays listed, an attach gets the position error. */
    private void drop(SpillingLog log) {
        endedOrder.remove(log);
        logs.remove(log.id());
        log.close();
    }

    /** A retained log counted in {@link #trimRetained} gave its files up. */
    void unretain(long bytes) {
        retainedDisk.addAndGet(-bytes);
    }

    /** {@code log} is done with: its memory and files go (on the disk thread). */
    void release(SpillingLog log) {
        logs.remove(log.id());
        waitingForDisk.remove(log);
        waitingForRoom.remove(log);
        submit(() -> {
            endedOrder.remove(log); // a walk of up to max_retained logs: off the caller's (a supervision) thread
            log.close();
        });
    }

    private void work() {
        while (!closed) {
            Runnable task;
            try {
                task = work.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("log disk task failed", e);
            }
        }
    }

    /** Stops the disk thread (at most a second) and deletes every log's files. */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logs.values().forEach(SpillingLog::close);
        logs.clear();
    }
}
