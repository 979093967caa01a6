// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.concurrent.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The poller's own promise: a task handed to it from another thread runs soon, however the wake-ups interleave. */
class PollerTest {
    private static final int ROUNDS = 100_000;

    /**
     * Threads hand tasks over as fast as they can and each waits for its own, with nothing else registered: a task
     * runs only if its wake-up reached the poller. A wake-up written while the poller takes the previous one must not
     * be swallowed (the soak once lost the resume of a held pipe this way, for good).
     */
    @Test
    void everyTaskFromAnotherThreadRunsWithNoOtherEventToCarryIt() throws Exception {
        try (Poller poller = new Poller(Threads.platform("test-poller"))) {
            List<CompletableFuture<Integer>> senders = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                CompletableFuture<Integer> done = new CompletableFuture<>();
                senders.add(done);
                Threads.startPlatform("sender-" + s, () -> done.complete(handOver(poller)));
            }
            for (CompletableFuture<Integer> sender : senders) {
                assertThat(sender.get(120, TimeUnit.SECONDS)).as("rounds whose task ran").isEqualTo(ROUNDS);
            }
        }
    }

    private static int handOver(Poller poller) {
        for (int i = 0; i < ROUNDS; i++) {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            poller.execute(() -> ran.complete(null));
            try {
                ran.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                return i; // the poller was not woken for this task
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        return ROUNDS;
    }
}
