// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs many tasks ({@link Command}s, Claude Code runs) at once, at most {@link #concurrency()} at a time, and
 * reports one {@link TaskResult} per task, in input order. One task's failure (non-zero exit, timeout, refused
 * start, lost connection) never stops or hides the others.
 *
 * <p><b>Connections.</b> {@link #run} opens its own connections and closes them all before it returns. It opens
 * one, reads {@code limits().max_processes_per_session}, and opens as many more as it needs for the concurrency
 * (one connection when the server allows that many executions per session). If the server refuses extra
 * connections, the batch runs with fewer. Concurrency never exceeds the server's {@code max_processes}. When a
 * connection breaks, the task running on it ends as {@link TaskStatus#ERROR} and the next tasks of that slot run
 * on a new connection.
 *
 * <p><b>Deadlines.</b> A task runs under its own timeout, else {@link #taskTimeout()}, else the one the
 * server predicts. The server enforces it and kills the process group; the client waits for that deadline plus
 * {@link ClientOptions#closeTimeout()} and then cancels the task itself.
 *
 * <p><b>Threads.</b> {@code run} blocks its caller; tasks run on virtual threads that have ended when it returns
 * (after an interrupt: within {@link ClientOptions#closeTimeout()}). Interrupting the caller starts no further
 * task, cancels the running ones, which report what they had, and reports the rest as {@link TaskStatus#ERROR}
 * ("batch was interrupted"); the caller's interrupt flag is set again on return. Immutable and thread-safe;
 * {@code run} may be called many times.
 *
 * @param concurrency at most this many tasks run at once
 * @param taskTimeout per-task deadline for commands without their own, or {@code null} for the server's prediction
 */
public record Batch(int concurrency, Duration taskTimeout) {

    /** Checks the settings. */
    public Batch {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
            throw new IllegalArgumentException("taskTimeout must be positive, got " + taskTimeout);
        }
    }

    /** A batch running at most {@code concurrency} tasks at once, each under {@code taskTimeout}. */
    public static Batch of(int concurrency, Duration taskTimeout) {
        return new Batch(concurrency, taskTimeout);
    }

    /** Runs {@code tasks} as {@link #run(URI, ClientOptions, List, TaskListener)} does, without a listener. */
    public List<TaskResult> run(URI uri, ClientOptions options, List<? extends Task> tasks) {
        return run(uri, options, tasks, TaskListener.NONE);
    }

    /**
     * Runs {@code input} against the server at {@code uri}, telling {@code listener} of each start, output line and
     * end (from several threads at once; see {@link TaskListener}).
     *
     * @return one result per task, in input order
     * @throws ConnectFailedException not even one connection could be opened (then nothing ran)
     */
    public List<TaskResult> run(URI uri, ClientOptions options, List<? extends Task> input, TaskListener listener) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        List<Task> tasks = List.copyOf(input);
        if (tasks.isEmpty()) {
            return List.of();
        }
        // Each entry is written once, by whoever ends that task first (its worker, or the interrupt sweep below),
        // and only that writer tells the listener: finished runs exactly once per task.
        AtomicReferenceArray<TaskResult> results = new AtomicReferenceArray<>(tasks.size());
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        boolean interrupted = false;
        try (Connector connector = new Connector(uri, options)) {
            CcxClient first = connector.open();
            int perSession = Math.max(1, first.limits().maxProcessesPerSession());
            int want = Math.min(Math.min(concurrency, tasks.size()), Math.max(1, first.limits().maxProcesses()));
            int slotsPerClient = Math.min(perSession, want);
            int needed = (want + slotsPerClient - 1) / slotsPerClient;
            List<CcxClient> clients = new ArrayList<>(List.of(first));
            while (clients.size() < needed) {
                try {
                    clients.add(connector.open());
                } catch (ConnectFailedException e) {
                    break; // session limit or similar: run with the connections there are
                }
            }
            int slots = Math.min(want, clients.size() * slotsPerClient);
            for (int w = 0; w < slots; w++) {
                CcxClient client = clients.get(w / slotsPerClient);
                CompletableFuture<Void> done = new CompletableFuture<>();
                workers.add(done);
                threads.add(Thread.ofVirtual().name("ccx-batch-" + w).start(() -> {
                    try {
                        work(connector, client, next, tasks, results, listener);
                        done.complete(null);
                    } catch (RuntimeException | Error e) {
                        done.completeExceptionally(e);
                    }
                }));
            }
            try {
                // A future's get, not Thread.join: on a ForkJoinPool thread (a parallel stream, supplyAsync) it lets
                // the pool compensate, and the JDK's HttpClient completes its own futures on the common pool.
                CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get();
            } catch (InterruptedException e) {
                interrupted = true;
                next.set(tasks.size()); // no new task starts
                threads.forEach(Thread::interrupt); // running ones cancel and report what they have
            }
        } catch (ExecutionException e) {
            throw CcxClient.rethrow(e.getCause()); // a worker bug, not a task outcome
        } finally {
            // The connector is closed by now, which canceled whatever still ran; the workers end within the bound.
            interrupted |= joinUninterruptibly(workers, options.closeTimeout());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        List<TaskResult> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            TaskResult gone = TaskResult.error(i, tasks.get(i), new CcxException("batch was interrupted"));
            if (results.compareAndSet(i, null, gone)) {
                listener.finished(gone);
            }
            out.add(results.get(i));
        }
        return List.copyOf(out);
    }

    /** One slot: takes the next task until none is left; a broken connection is replaced for the next task. */
    private void work(Connector connector, CcxClient client, AtomicInteger next, List<Task> tasks,
                      AtomicReferenceArray<TaskResult> results, TaskListener listener) {
        CcxClient mine = client;
        for (int i; (i = next.getAndIncrement()) < tasks.size(); ) {
            Connector.Outcome o = connector.run(mine, tasks.get(i), i, taskTimeout, listener);
            mine = o.client();
            if (results.compareAndSet(i, null, o.result())) {
                listener.finished(o.result());
            }
        }
    }

    /** Waits up to {@code bound} for the workers, through interrupts; returns whether one arrived meanwhile. */
    private static boolean joinUninterruptibly(List<CompletableFuture<Void>> workers, Duration bound) {
        CompletableFuture<Void> all = CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + bound.toNanos();
        boolean interrupted = false;
        while (true) {
            try {
                all.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // A worker still running after the bound ends on its own: its connection is closed.
                return interrupted;
            }
        }
    }
}
