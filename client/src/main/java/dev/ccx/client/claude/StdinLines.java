// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.RunningCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Writes whole lines to an execution's stdin in the order they were handed in, from one virtual thread of its own,
 * so that no caller waits on the network while holding anything, and lines from several threads (prompts, control
 * requests, permission answers) never interleave. Each line's future completes once its bytes are in the pipe.
 */
final class StdinLines implements AutoCloseable {
    private static final byte[] END = new byte[0];

    private record Pending(byte[] line, CompletableFuture<Void> done) {
    }

    private final OutputStream out;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile IOException broken;
    private boolean ended;

    StdinLines(RunningCommand process) {
        this.out = process.stdin();
        this.thread = Thread.ofVirtual().name("ccx-claude-stdin-" + process.executionId()).start(this::run);
    }

    /** Queues {@code line} (which must end with a newline). */
    synchronized CompletableFuture<Void> write(byte[] line) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (ended || broken != null) {
            done.completeExceptionally(broken != null ? broken : new IOException("stdin is closed"));
            return done;
        }
        queue.add(new Pending(line, done));
        return done;
    }

    /** Queues end of file after the lines already queued; nothing can be written after it. */
    synchronized CompletableFuture<Void> end() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (ended) {
            done.complete(null);
            return done;
        }
        ended = true;
        queue.add(new Pending(END, done));
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch);
                for (Pending p : batch) {
                    if (p.line() == END) {
                        out.close();
                        p.done().complete(null);
                        return;
                    }
                    out.write(p.line());
                }
                out.flush(); // one round trip for everything that was queued together
                batch.forEach(p -> p.done().complete(null));
                batch.clear();
            }
        } catch (InterruptedException e) {
            fail(batch, new IOException("stdin writer stopped"));
        } catch (IOException | RuntimeException e) {
            fail(batch, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    private synchronized void fail(List<Pending> batch, IOException why) {
        broken = why;
        batch.forEach(p -> p.done().completeExceptionally(why));
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.forEach(p -> p.done().completeExceptionally(why));
    }

    /** Stops the writer; lines not yet written fail. Does not close the process's stdin. */
    @Override
    public void close() {
        thread.interrupt();
    }
}
