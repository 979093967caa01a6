// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a client subcommand so that Ctrl-C (SIGINT) or SIGTERM cancels its work and still lets it report. The JVM runs
 * shutdown hooks on those signals while the main thread goes on; the hook closes the client, which cancels every
 * execution and makes the main thread's waits return with what was done so far (partial Claude text included), and
 * then waits, bounded, for the main thread to print its result and write its report. The JVM then exits with
 * 128 + the signal number, as a shell expects.
 */
final class Graceful {
    /** How long the hook lets the main thread finish after cancelling; the client's own waits are shorter. */
    private static final long FINISH_SECONDS = 15;

    private Graceful() {
    }

    /**
     * Runs {@code work} on this thread; on a signal, {@code cancel} runs first (closing the client, or interrupting
     * this thread, which makes batches and task lists cancel what runs and skip the rest).
     */
    static <T> T run(Runnable cancel, Supplier<T> work) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                cancel.run();
                done.await(FINISH_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // Exiting anyway: the server ends what this client started when its connection closes.
            }
        }, "ccx-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.get();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutdown in progress: the hook is running and will see the latch.
            }
        }
    }
}
