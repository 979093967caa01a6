// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void runsInOrderOneAtATimeOnAPool() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            SerialExecutor serial = new SerialExecutor(pool, new Backlog(1000));
            List<Integer> seen = new CopyOnWriteArrayList<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                int n = i;
                serial.execute(() -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.add(n);
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(maxRunning.get()).isEqualTo(1);
            for (int i = 0; i < 1000; i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
        }
    }

    @Test
    void aThrowingTaskDoesNotStopTheNext() throws Exception {
        SerialExecutor serial = new SerialExecutor(Runnable::run, new Backlog(1000));
        CountDownLatch after = new CountDownLatch(1);
        serial.execute(() -> {
            throw new IllegalStateException("listener bug");
        });
        serial.execute(after::countDown);
        assertThat(after.await(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRefusingExecutorStillRunsTheTask() {
        SerialExecutor serial = new SerialExecutor(r -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }, new Backlog(1000));
        AtomicInteger ran = new AtomicInteger();
        serial.execute(ran::incrementAndGet);
        serial.execute(ran::incrementAndGet);
        assertThat(ran.get()).isEqualTo(2);
    }
}
