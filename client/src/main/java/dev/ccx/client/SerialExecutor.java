// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs tasks one at a time, in submission order, on a base executor: the per-execution ordering of callbacks
 * whatever executor the user supplies. A task's exception is logged and does not stop the tasks after it.
 */
final class SerialExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
    private final Executor base;
    private final Backlog backlog;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean active;

    SerialExecutor(Executor base, Backlog backlog) {
        this.base = base;
        this.backlog = backlog;
    }

    @Override
    public void execute(Runnable task) {
        boolean start;
        backlog.added();
        lock.lock();
        try {
            queue.add(task);
            start = !active;
            active = true;
        } finally {
            lock.unlock();
        }
        if (start) {
            try {
                base.execute(this::drain);
            } catch (RuntimeException e) {
                // The base refused (for example a user executor that was shut down): run here rather than lose
                // the completion of a result that someone waits for.
                LOG.log(System.Logger.Level.WARNING, "callback executor refused a task; running it inline", e);
                drain();
            }
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            lock.lock();
            try {
                next = queue.poll();
                if (next == null) {
                    active = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "output callback threw; later callbacks still run", e);
            } finally {
                backlog.done();
            }
        }
    }
}
