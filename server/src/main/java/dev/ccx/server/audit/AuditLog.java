// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.audit;

import ch.qos.logback.core.ContextBase;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.observe.ExecutionSummary;
import dev.ccx.server.observe.Refusal;
import dev.ccx.server.observe.ServerObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log. The thread that reports an event only offers it to a bounded queue; one writer thread turns it
 * into its line and appends that to the file through Logback's {@link RollingFileAppender} (rotated daily and at a
 * size, older files gzipped and kept for some days; Logback compresses on a thread of its own), flushing each line
 * to the OS. An event that finds the queue full is dropped and counted ({@link #dropped()}, in the metrics): the
 * audit never holds up an execution. A file that cannot be written (a full disk) is reported by Logback as an
 * error status; each is logged and counted ({@link #writeErrors()}), and Logback retries the file.
 *
 * <p>{@link #close()} writes every line still queued before it returns (bounded: a disk that takes more than
 * {@link #CLOSE_WAIT} loses the rest, and says so). The server closes it after the last execution has ended, so
 * a normal stop loses nothing; a SIGKILL loses what is still queued.
 */
public final class AuditLog implements ServerObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int QUEUE = 65_536;
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 100;

    private final BlockingQueue<Supplier<String>> queue = new ArrayBlockingQueue<>(QUEUE);
    private final LongAdder dropped = new LongAdder();
    private final LongAdder writeErrors = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ContextBase context = new ContextBase();
    private final RollingFileAppender<String> appender = new RollingFileAppender<>();
    private final Thread writer;
    private volatile boolean closing;

    /**
     * Opens (appends to) {@code file}, creating its directory.
     *
     * @throws IllegalArgumentException when the file cannot be opened, with Logback's reason
     */
    public AuditLog(Path file, long maxFileBytes, int keepDays) {
        context.setName("ccx-audit");
        Path absolute = file.toAbsolutePath();
        appender.setContext(context);
        appender.setName("audit");
        appender.setFile(absolute.toString());
        appender.setAppend(true);
        appender.setImmediateFlush(true);
        SizeAndTimeBasedRollingPolicy<String> rolling = new SizeAndTimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(absolute + ".%d{yyyy-MM-dd}.%i.gz");
        rolling.setMaxFileSize(new FileSize(maxFileBytes));
        rolling.setMaxHistory(keepDays);
        rolling.start();
        appender.setRollingPolicy(rolling);
        LineEncoder encoder = new LineEncoder();
        encoder.setContext(context);
        encoder.start();
        appender.setEncoder(encoder);
        appender.start();
        context.getStatusManager().add(this::onStatus);
        String why = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.ERROR).map(AuditLog::describe).findFirst().orElse(null);
        if (!appender.isStarted() || why != null) {
            appender.stop();
            context.stop();
            throw new IllegalArgumentException("cannot open the audit log " + absolute + ": "
                    + (why != null ? why : "the appender did not start"));
        }
        writer = Threads.startPlatform("audit", this::drain);
    }

    @Override
    public void executionFinished(ExecutionSummary execution) {
        offer(() -> AuditLines.execution(execution));
    }

    @Override
    public void refused(Refusal refusal) {
        long now = System.currentTimeMillis();
        offer(() -> AuditLines.refusal(refusal, now));
    }

    /** Logback could not write (or rotate) the file. */
    private void onStatus(Status status) {
        if (status.getLevel() >= Status.ERROR) {
            writeErrors.increment();
            LOG.warn("audit log: {}", describe(status));
        }
    }

    /** Errors Logback reported writing or rotating the file. */
    public long writeErrors() {
        return writeErrors.sum();
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    private void offer(Supplier<String> line) {
        if (closing || !queue.offer(line)) {
            dropped.increment();
        }
    }

    private void drain() {
        try {
            while (!closing || !queue.isEmpty()) {
                Supplier<String> line = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (line != null) {
                    write(line);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Formats and appends one event; one that cannot be formatted is logged and counted, the writer goes on. */
    private void write(Supplier<String> line) {
        try {
            appender.doAppend(line.get());
        } catch (RuntimeException e) {
            dropped.increment();
            LOG.error("audit log: an event could not be written", e);
        }
    }

    /** Writes what is queued (at most {@link #CLOSE_WAIT}), then closes the file. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        try {
            if (writer.join(CLOSE_WAIT)) {
                // Offered just as the writer saw an empty queue and stopped.
                for (Supplier<String> line = queue.poll(); line != null; line = queue.poll()) {
                    write(line);
                }
            } else {
                writer.interrupt();
                LOG.warn("audit log: {} lines were still queued after {} s and are lost", queue.size(),
                        CLOSE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            writer.interrupt();
            Thread.currentThread().interrupt();
        } finally {
            appender.stop();
            context.stop();
            dropped.add(queue.size()); // left in the queue by a writer that did not finish in time
            queue.clear();
        }
        if (dropped() > 0) {
            LOG.warn("audit log: {} lines were dropped (the queue was full, or they were still queued at the "
                    + "end)", dropped());
        }
    }

    private static String describe(Status s) {
        return s.getThrowable() == null ? s.getMessage() : s.getMessage() + ": " + s.getThrowable().getMessage();
    }

    /** One event, one line: the JSON and a newline. */
    private static final class LineEncoder extends EncoderBase<String> {
        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(String line) {
            return (line + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }
}
