// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.CcxClient;
import dev.ccx.client.CcxException;
import dev.ccx.client.ConnectionLostException;
import dev.ccx.client.RequestNotSentException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Writes whole lines to an execution's stdin in the order they were handed in, from one virtual thread of its own,
 * so that no caller waits on the network while holding anything, and lines from several threads (prompts, control
 * requests, permission answers) never interleave. Each line's future completes once its bytes are in the pipe.
 *
 * <p>Lines queued together go in one {@code stdin} request (several of at most 1 MiB for a long batch). A request
 * that fails fails only its own batch: after a dropped connection the client attaches again, and later lines go
 * through. While the connection comes back (for at most the given bound), a batch is tried again when it never left
 * ({@link RequestNotSentException}), or when its lines may safely arrive twice (answers to the CLI's requests, which
 * it ignores once answered). A batch lost in flight fails: whether the CLI got it cannot be known.
 */
final class StdinLines implements AutoCloseable {
    private static final int REQUEST_BYTES = 1 << 20;

    private record Pending(byte[] line, boolean retry, CompletableFuture<Void> done) {
        boolean isEnd() {
            return line == null;
        }
    }

    private final CcxClient client;
    private final String executionId;
    private final Duration retryFor;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** No more lines are taken: end of file was queued, or the writer stopped. Guarded by this. */
    private boolean ended;

    StdinLines(CcxClient client, String executionId, Duration retryFor) {
        this.client = client;
        this.executionId = executionId;
        this.retryFor = retryFor;
        this.thread = Thread.ofVirtual().name("ccx-claude-stdin-" + executionId).start(this::run);
    }

    /** Queues {@code line} (which must end with a newline). */
    CompletableFuture<Void> write(byte[] line) {
        return queue(line, false);
    }

    /** Queues a line that may arrive twice without harm: tried again while the connection comes back. */
    CompletableFuture<Void> writeRetrying(byte[] line) {
        return queue(line, true);
    }

    /** Queues end of file after the lines already queued; completes at once when the writer has stopped. */
    CompletableFuture<Void> end() {
        return queue(null, false);
    }

    private synchronized CompletableFuture<Void> queue(byte[] line, boolean retry) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (ended) {
            if (line == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(new CcxException("the stdin of execution " + executionId
                        + " is closed"));
            }
            return done;
        }
        ended = line == null;
        queue.add(new Pending(line, retry, done));
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch);
                int end = batch.size();
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.get(i).isEnd()) {
                        end = i;
                        break;
                    }
                }
                boolean eof = end < batch.size();
                send(batch.subList(0, end), eof, batch);
                if (eof) {
                    stop(batch.subList(end + 1, batch.size()));
                    return;
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            stop(batch);
        }
    }

    /** Writes {@code lines} (and end of file) and completes their futures and those of {@code batch}'s rest. */
    private void send(List<Pending> lines, boolean eof, List<Pending> batch) throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        lines.forEach(p -> bytes.writeBytes(p.line()));
        boolean retry = !lines.isEmpty() && lines.stream().allMatch(Pending::retry);
        long deadline = System.nanoTime() + retryFor.toNanos();
        long pause = 100;
        while (true) {
            try {
                write(bytes.toByteArray(), eof);
                int upTo = eof ? lines.size() + 1 : lines.size();
                batch.subList(0, upTo).forEach(p -> p.done().complete(null));
                return;
            } catch (ConnectionLostException e) {
                // Bytes that never left may go again; others only when a second copy does no harm.
                boolean again = retry || e instanceof RequestNotSentException;
                if (!again || System.nanoTime() + pause * 1_000_000 > deadline) {
                    failAll(lines, e, eof ? batch.get(lines.size()) : null);
                    return;
                }
                Thread.sleep(pause); // the client is attaching again; nothing else waits for this thread
                pause = Math.min(2_000, pause * 2);
            } catch (CcxException e) {
                failAll(lines, e, eof ? batch.get(lines.size()) : null);
                return;
            }
        }
    }

    private void write(byte[] all, boolean eof) {
        if (all.length == 0) {
            client.stdin(executionId, all, eof);
            return;
        }
        for (int from = 0; from < all.length; from += REQUEST_BYTES) {
            int to = Math.min(all.length, from + REQUEST_BYTES);
            client.stdin(executionId, Arrays.copyOfRange(all, from, to), eof && to == all.length);
        }
    }

    private static void failAll(List<Pending> lines, CcxException why, Pending end) {
        lines.forEach(p -> p.done().completeExceptionally(why));
        if (end != null) {
            end.done().completeExceptionally(why);
        }
    }

    /** The writer is done: nothing more is taken, and what is left fails (an end of file completes). */
    private void stop(List<Pending> left) {
        List<Pending> rest = new ArrayList<>(left);
        synchronized (this) {
            ended = true;
            queue.drainTo(rest);
        }
        CcxException why = new CcxException("the stdin writer of execution " + executionId + " stopped");
        for (Pending p : rest) {
            if (p.isEnd()) {
                p.done().complete(null);
            } else {
                p.done().completeExceptionally(why);
            }
        }
    }

    /** Stops the writer; lines not yet written fail. Does not close the process's stdin. */
    @Override
    public void close() {
        thread.interrupt();
    }
}
