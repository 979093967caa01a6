// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.Wire;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.LogStore;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.process.Engines;
import dev.ccx.server.process.GroupLedger;
import dev.ccx.server.process.ProcessEngine;
import dev.ccx.server.process.jdk.JdkEngine;
import dev.ccx.server.timing.EmbeddedTimingStore;
import dev.ccx.server.timing.Estimator;
import dev.ccx.server.timing.LoadProbe;
import dev.ccx.server.timing.TaskClassifier;
import dev.ccx.server.timing.TimingService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Whatever fails on the way (the timer refuses a task, a thread cannot be made, the request is interrupted while
 * its process starts), the group is ended, both slots are released and exactly one {@code process.completed} is
 * appended. Real processes, a real engine and log; the timer and the thread factory are the fakes.
 */
class ExecutionEndsTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A session stand-in: counts its slot, asks nothing else. */
    private static final class Owner implements ExecOwner {
        final AtomicInteger free = new AtomicInteger(1);
        final AtomicInteger finished = new AtomicInteger();

        @Override
        public String sessionId() {
            return "test";
        }

        @Override
        public String principal() {
            return "anonymous";
        }

        @Override
        public String remote() {
            return "test";
        }

        @Override
        public boolean tryAcquireSlot() {
            return free.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0;
        }

        @Override
        public void releaseSlot() {
            free.incrementAndGet();
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public void finished(Execution execution) {
            finished.incrementAndGet();
            free.incrementAndGet();
        }

        @Override
        public void wake() {
        }
    }

    private ExecutionService service(ProcessEngine engine, ScheduledThreadPoolExecutor timer) {
        TimingService timing = new TimingService(new EmbeddedTimingStore(dir.resolve("timing")), new TaskClassifier(),
                new Estimator(), new LoadProbe());
        LogStore logs = new LogStore(dir.resolve("logs"), new LogStore.Limits(1 << 16, 1 << 20, 1 << 20, 1 << 22, 1 << 22));
        ExecutionService service = new ExecutionService(new CommandPolicy("/bin/sh", Set.of(), System.getenv(), dir),
                timing, false, logs, 1, new Supervision(timer, Duration.ofMillis(200).toNanos(), 1 << 20, engine,
                new GroupLedger(dir), ServerObserver.NONE), new Retention(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 10));
        open.add(timing);
        open.add(logs);
        open.add(service);
        return service;
    }

    private static ProcessEngine engine(Engines.Choice choice) {
        return Engines.open(choice);
    }

    /** Reads the owner's cursor to the end: the methods of every notification, in order. */
    private static List<JsonNode> frames(LocalExecution e) {
        Cursor c = e.ownerCursor();
        c.release("{}".getBytes());
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Cursor.Progress p = c.read(1 << 16, f -> out.add(Wire.mapper().readTree(f)));
            if (p == Cursor.Progress.END) {
                return out.subList(1, out.size());
            }
            if (p == Cursor.Progress.WAIT) {
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("no end within 10 s; got " + out);
    }

    private static List<String> methods(List<JsonNode> frames) {
        return frames.stream().map(f -> f.get("method").stringValue()).toList();
    }

    private static void assertEndedOnceWithError(ExecutionService service, Owner owner, LocalExecution e) {
        List<JsonNode> frames = frames(e);
        List<String> methods = methods(frames);
        assertThat(methods).first().isEqualTo("process.started");
        assertThat(methods).containsOnlyOnce("process.completed").last().isEqualTo("process.completed");
        assertThat(methods).contains("process.error");
        assertThat(frames.getLast().get("params").get("reason").stringValue()).isEqualTo("error");
        assertThat(e.group().isAlive()).as("group ended").isFalse();
        assertThat(owner.finished.get()).isOne();
        assertThat(owner.free.get()).as("session slot back").isOne();
        assertThat(service.runningCount()).as("server slot back").isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void aTimerThatRefusesTheDeadlineEndsTheExecutionOnceWithError(Engines.Choice choice) {
        ScheduledThreadPoolExecutor timer = Threads.scheduler("test-timer");
        timer.shutdown();
        ExecutionService service = service(engine(choice), timer);
        Owner owner = new Owner();

        LocalExecution e = service.execute(owner, new ExecuteParams(null, List.of("sleep", "30"), 5.0, null, null, null));

        assertEndedOnceWithError(service, owner, e);
    }

    @Test
    void aPipeReaderThatCannotBeMadeEndsTheExecutionOnceWithError() {
        ThreadFactory none = r -> {
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
        };
        ExecutionService service = service(JdkEngine.create(none), Threads.scheduler("test-timer"));
        Owner owner = new Owner();

        LocalExecution e = service.execute(owner, ExecuteParams.argv(List.of("sleep", "30")));

        assertEndedOnceWithError(service, owner, e);
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void aRequestInterruptedWhileItsProcessStartsEndsOnceWithError(Engines.Choice choice) {
        ExecutionService service = service(engine(choice), Threads.scheduler("test-timer"));
        Owner owner = new Owner();

        Thread.currentThread().interrupt();
        LocalExecution e;
        try {
            e = service.execute(owner, ExecuteParams.argv(List.of("sleep", "30")));
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt stays for the caller").isTrue();
        }

        assertEndedOnceWithError(service, owner, e);
    }

    @Test
    void bothSlotsComeBackSoTheNextExecuteFits() {
        ExecutionService service = service(engine(Engines.Choice.AUTO), Threads.scheduler("test-timer"));
        Owner owner = new Owner();
        for (int i = 0; i < 3; i++) {
            LocalExecution e = service.execute(owner, ExecuteParams.argv(List.of("true")));
            List<JsonNode> frames = frames(e);
            assertThat(frames.getLast().get("params").get("reason").stringValue()).isEqualTo("exit");
        }
        assertThat(owner.finished.get()).isEqualTo(3);
    }

    @Test
    void nothingIsAdmittedOnceShutdownHasTakenItsSnapshot() {
        ExecutionService service = service(engine(Engines.Choice.AUTO), Threads.scheduler("test-timer"));
        Owner owner = new Owner();
        LocalExecution running = service.execute(owner, ExecuteParams.argv(List.of("sleep", "30")));

        service.close();

        assertThat(methods(frames(running))).last().isEqualTo("process.completed");
        Owner late = new Owner();
        assertThatThrownBy(() -> service.execute(late, ExecuteParams.argv(List.of("true"))))
                .isInstanceOfSatisfying(ExecException.class,
                        x -> assertThat(x.code()).isEqualTo(ErrorCode.SHUTTING_DOWN));
        assertThat(late.free.get()).as("its slot back").isOne();
        assertThat(service.runningCount()).isZero();
    }
}
