// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.ExecutionLog;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XTrimArgs;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one local execution's log into its Redis stream, {@code log:ID}, so that any node can follow it: a
 * follower of the log like a connection's writer, reading at its own pace. Each stream entry is a batch of frames,
 * everything the log had ready up to 64 KiB ({@code f} and {@code l}: the first and last {@code seq}; {@code d}: the
 * frames, one per line), so a flood is a few thousand {@code XADD}s a second, and a quiet execution's line goes out
 * at once.
 *
 * <p>The stream is bounded in bytes and in length: when its entries hold more than {@link #MAX_BYTES}, the oldest go
 * ({@code XTRIM MINID}), so a flood keeps its newest 256 MiB for replay through other nodes; and it holds about
 * {@link #MAX_ENTRIES} entries at most ({@code MAXLEN ~}), so a quiet execution that runs for days of single lines
 * does not grow without end either.
 *
 * <p>When Redis does not answer, the batch is retried (every 100 ms to 1 s) until it is written, and the log keeps
 * the rest: it spills to disk, and when even that is full the process is held back by its own pipe, as with any
 * follower that reads nothing. Nothing is dropped and the order is kept. After the last frame, {@code onEnd} runs
 * (the execution is marked ended in Redis), retried the same way.
 */
final class LogPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(LogPublisher.class);
    private static final int BATCH_BYTES = 64 * 1024;
    /** Frame bytes kept per stream. */
    static final long MAX_BYTES = 256L << 20;
    /** Entries kept per stream, at most (about: trimmed by whole macro nodes): a quiet execution's day of lines. */
    static final long MAX_ENTRIES = 1_000_000;

    /** An entry written: its id and its size, for trimming by bytes. */
    private record Entry(String id, long bytes) {
    }

    private final RedisLink redis;
    private final String stream;
    private final Cursor cursor;
    private final Runnable onEnd;
    private final Semaphore wake = new Semaphore(0);
    private final java.util.ArrayDeque<Entry> entries = new java.util.ArrayDeque<>();
    private long bytes;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean stopped;

    private LogPublisher(RedisLink redis, String stream, ExecutionLog log, long fromSeq, Runnable onEnd) {
        this.redis = redis;
        this.stream = stream;
        this.onEnd = onEnd;
        this.cursor = log.open(fromSeq, this::wake, false);
    }

    /** Starts copying {@code log} from {@code fromSeq} (which it must still hold) into {@code stream}. */
    static LogPublisher start(RedisLink redis, String stream, ExecutionLog log, long fromSeq, Runnable onEnd) {
        LogPublisher p = new LogPublisher(redis, stream, log, fromSeq, onEnd);
        Threads.startVirtual("cluster-publish", p::run);
        return p;
    }

    private void wake() {
        wake.release();
    }

    /** Stops copying (the cluster gave the execution up, or the server stops). */
    void stop() {
        stopped = true;
        wake.release();
    }

    private void run() {
        try {
            List<byte[]> frames = new ArrayList<>();
            while (!stopped) {
                long first = cursor.position();
                int[] size = {0};
                Cursor.Progress progress;
                do { // as much as the log has ready, up to a full entry
                    progress = cursor.read(BATCH_BYTES - size[0], f -> {
                        frames.add(f);
                        size[0] += f.length + 1;
                    });
                } while (progress == Cursor.Progress.MORE && size[0] < BATCH_BYTES);
                if (!frames.isEmpty()) {
                    write(first, frames);
                    frames.clear();
                }
                if (progress == Cursor.Progress.END) {
                    retry(() -> onEnd.run());
                    return;
                }
                if (progress == Cursor.Progress.WAIT) {
                    wake.acquire();
                    wake.drainPermits();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            cursor.close();
            done.complete(null);
        }
    }

    /** Completes once the publisher has stopped: everything written, or given up. */
    CompletableFuture<Void> done() {
        return done;
    }

    /**
     * Writes one entry, retrying until it is written. A retry after a timeout may write it twice; followers skip the
     * frames they already have by their {@code seq}.
     */
    private void write(long first, List<byte[]> frames) throws InterruptedException {
        ByteArrayOutputStream d = new ByteArrayOutputStream(BATCH_BYTES + 1024);
        for (byte[] f : frames) {
            if (d.size() > 0) {
                d.write('\n');
            }
            d.writeBytes(f);
        }
        Map<String, byte[]> entry = Map.of("f", ascii(first), "l", ascii(first + frames.size() - 1),
                "d", d.toByteArray());
        String[] id = new String[1];
        retry(() -> id[0] = redis.frames().sync().xadd(stream,
                XAddArgs.Builder.maxlen(MAX_ENTRIES).approximateTrimming(), entry));
        if (id[0] == null) {
            return; // stopped
        }
        entries.addLast(new Entry(id[0], d.size()));
        bytes += d.size();
        if (bytes > MAX_BYTES) {
            while (bytes > MAX_BYTES && entries.size() > 1) {
                bytes -= entries.removeFirst().bytes();
            }
            String oldestKept = entries.getFirst().id();
            retry(() -> redis.sync().xtrim(stream, XTrimArgs.Builder.minId(oldestKept)));
        }
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private void retry(Runnable call) throws InterruptedException {
        long backoff = 100;
        boolean warned = false;
        while (!stopped) {
            try {
                call.run();
                if (warned) {
                    LOG.info("cluster: {} written again", stream);
                }
                return;
            } catch (RuntimeException e) {
                if (!warned) {
                    LOG.warn("cluster: cannot write {} ({}); its output waits in the local log", stream,
                            e.getMessage());
                    warned = true;
                }
                wake.tryAcquire(backoff, TimeUnit.MILLISECONDS);
                backoff = Math.min(1000, backoff * 2);
            }
        }
    }
}
