// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output log on its own: frames spill to real files on a real disk thread and come back in order, exactly
 * once; holds place a prelude; a follower far behind holds the producer back; what everyone has read goes.
 */
class SpillingLogTest {
    private static final long MEMORY = 4096;

    @TempDir
    Path dir;
    private LogStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private ExecutionLog log(long max, long total) {
        return log(max, total, false);
    }

    private ExecutionLog log(long max, long total, boolean keepAll) {
        store = new LogStore(dir, new LogStore.Limits(MEMORY, 1 << 30, max, total, total));
        return store.create("x", keepAll);
    }

    private static FrameEncoder frame(String text) {
        return seq -> (seq + ":" + text).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> readAll(Cursor c) {
        List<String> out = new ArrayList<>();
        Cursor.Progress p;
        do {
            p = c.read(1000, f -> out.add(new String(f, StandardCharsets.UTF_8)));
        } while (p == Cursor.Progress.MORE);
        return out;
    }

    /** Appends {@code frame} once the log has room, as the producer does (waiting for its spill, bounded). */
    private static void appendWhenRoom(ExecutionLog log, byte[] frame) throws InterruptedException {
        CountDownLatch room = new CountDownLatch(1);
        log.whenRoom(room::countDown);
        assertThat(room.await(10, TimeUnit.SECONDS)).as("room comes as the log spills").isTrue();
        log.append(seq -> frame);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.sleep(5);
        }
    }

    /**
     * Appends kilobyte frames as the reader of a pipe would (wait for room when there is none) until the log holds
     * the producer back with {@code diskLimit} on disk; returns the frames appended.
     */
    private int fillUntilHeldBack(ExecutionLog log, long diskLimit) throws InterruptedException {
        byte[] kilobyte = new byte[1000];
        int appended = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (appended < 3_000) {
            if (log.hasRoom()) {
                log.append(seq -> kilobyte);
                appended++;
            } else if (store.isWaitingForDisk(log)) {
                assertThat(store.diskBytes()).isGreaterThan(diskLimit - 2 * MEMORY);
                return appended;
            } else {
                Thread.sleep(1);
                assertThat(System.nanoTime() < deadline).as("spilling").isTrue();
            }
        }
        return appended;
    }

    private long spillFiles() {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void framesSpillToDiskAndComeBackInOrderExactlyOnce() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 22);
        Cursor cursor = log.open(1, () -> { }, false);
        for (int i = 0; i < 5_000; i++) {
            log.append(frame("line " + i));
        }
        await("spilled", () -> store.diskBytes() > 0);
        List<String> got = readAll(cursor);
        assertThat(got).hasSize(5_000);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).isEqualTo((i + 1) + ":line " + i);
        }
        assertThat(cursor.read(1000, f -> { })).isEqualTo(Cursor.Progress.WAIT);
        log.end();
        assertThat(cursor.read(1000, f -> { })).isEqualTo(Cursor.Progress.END);
    }

    @Test
    void aReaderInterruptedOnTheDiskBreaksNothingForTheOthers() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 22);
        Cursor other = log.open(1, () -> { }, false);
        Cursor stopped = log.open(1, () -> { }, false);
        for (int i = 0; i < 2_000; i++) {
            log.append(frame("f" + i));
        }
        await("spilled", () -> store.diskBytes() > 0);

        // A connection's writer is interrupted when its connection goes, possibly while it reads a spill file.
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> stopped.read(1000, f -> { })).hasRootCauseInstanceOf(
                    java.nio.channels.ClosedByInterruptException.class);
        } finally {
            Thread.interrupted();
        }
        stopped.close();

        for (int i = 2_000; i < 4_000; i++) {
            log.append(frame("f" + i));
        }
        List<String> got = readAll(other);
        assertThat(got).hasSize(4_000);
        assertThat(got.getLast()).isEqualTo("4000:f3999");
    }

    @Test
    void aCursorOpenedLaterReplaysFromAnyHeldPositionAndOldPositionsAreRefused() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 22);
        Cursor keeper = log.open(1, () -> { }, false);
        for (int i = 0; i < 2_000; i++) {
            log.append(frame("f" + i));
        }
        await("spilled", () -> store.diskBytes() > 0);
        Cursor late = log.open(1_500, () -> { }, false);
        assertThat(readAll(late)).hasSize(501).first().isEqualTo("1500:f1499");
        assertThatThrownBy(() -> log.open(0, () -> { }, false)).isInstanceOf(LogPositionException.class);
        assertThatThrownBy(() -> log.open(2_002, () -> { }, false)).isInstanceOf(LogPositionException.class);
        keeper.close();
        late.close();
    }

    @Test
    void aHeldCursorGetsThePreludeRightBeforeTheHeldFrame() {
        ExecutionLog log = log(1 << 20, 1 << 22);
        AtomicInteger wakes = new AtomicInteger();
        Cursor c = log.open(1, wakes::incrementAndGet, true);
        log.append(frame("started"));
        log.publish();
        assertThat(readAll(c)).isEmpty(); // held at 1 until the reply is placed
        c.release("reply-1".getBytes(StandardCharsets.UTF_8));
        log.append(frame("output"));
        long paused = log.append(frame("paused"), c);
        log.append(frame("after"));
        assertThat(readAll(c)).containsExactly("reply-1", "1:started", "2:output");
        c.release("reply-2".getBytes(StandardCharsets.UTF_8));
        assertThat(readAll(c)).containsExactly("reply-2", paused + ":paused", "4:after");
        assertThat(wakes.get()).as("publish and each release wake the reader").isGreaterThanOrEqualTo(3);
    }

    @Test
    void closingWithPreludesHandsOverTheRepliesNotSentYetAndNoFrame() {
        ExecutionLog log = log(1 << 20, 1 << 22);
        Cursor c = log.open(1, () -> { }, true);
        log.append(frame("started"));
        c.release("reply-1".getBytes(StandardCharsets.UTF_8));
        log.append(frame("paused"), c);
        c.release("reply-2".getBytes(StandardCharsets.UTF_8));

        assertThat(c.closeWithPreludes()).extracting(b -> new String(b, StandardCharsets.UTF_8))
                .containsExactly("reply-1", "reply-2");
        assertThat(c.closeWithPreludes()).as("closed already").isEmpty();
        assertThat(readAll(c)).isEmpty();
    }

    @Test
    void aFollowerFarBehindHoldsTheProducerBackUntilItReads() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 20);
        Cursor slow = log.open(1, () -> { }, false);
        assertThat(fillUntilHeldBack(log, 1 << 20)).as("held back before 3 MB").isLessThan(3_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CountDownLatch room = new CountDownLatch(1);
        log.whenRoom(room::countDown);
        assertThat(room.getCount()).isOne();

        int read = 0;
        while (room.getCount() > 0) {
            int[] n = {0};
            slow.read(64 * 1024, f -> n[0]++);
            read += n[0];
            Thread.sleep(1);
            assertThat(System.nanoTime() < deadline).as("room after reading").isTrue();
        }
        assertThat(read).isPositive();
        assertThat(slow.position()).isEqualTo(read + 1L);
    }

    @Test
    void whatNoFollowerNeedsDoesNotHoldTheProducerBack() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 20);
        Cursor reader = log.open(1, () -> { }, false);
        byte[] kilobyte = new byte[1000];
        int total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // 8 MB through a log that holds 1 MB on disk: fine, as long as the follower keeps reading.
        while (total < 8_000) {
            if (log.hasRoom()) {
                log.append(seq -> kilobyte);
                total++;
            } else {
                readAll(reader);
                Thread.sleep(1);
            }
            assertThat(System.nanoTime() < deadline).as("8 MB through").isTrue();
        }
        readAll(reader);
        assertThat(reader.position()).isEqualTo(8_001);
        assertThat(store.diskBytes()).isLessThanOrEqualTo(1 << 20);
        assertThat(log.oldestSeq()).as("read frames were let go").isGreaterThan(1);
    }

    @Test
    void anEndedLogStaysForReplayMostlyOnDiskUntilDiscardedThenGoesWithItsLastFollower() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 22);
        Cursor c = log.open(1, () -> { }, false);
        for (int i = 0; i < 2_000; i++) {
            log.append(frame("f" + i));
        }
        await("spilled", () -> spillFiles() > 0 && store.diskBytes() > 0);
        log.end();
        readAll(c);
        c.close();
        await("an ended log keeps little in memory", () -> store.memoryBytes() <= SpillingLog.ENDED_MEMORY_BYTES);
        assertThat(store.size()).as("retained for replay").isOne();
        Cursor replay = log.open(1, () -> { }, false);
        assertThat(readAll(replay)).hasSize(2_000);
        log.discard();
        assertThatThrownBy(() -> log.open(1, () -> { }, false)).isInstanceOf(LogPositionException.class);
        assertThat(store.size()).as("its follower still reads it").isOne();
        replay.close();
        await("released", () -> store.size() == 0 && spillFiles() == 0 && store.diskBytes() == 0);
    }

    @Test
    void aLogNobodyFollowsKeepsEveryFrameForALaterAttach() throws Exception {
        ExecutionLog log = log(1 << 20, 1 << 22, true); // a kept execution's
        byte[] kilobyte = new byte[1000];
        for (int i = 0; i < 800; i++) { // 800 KB (within the log's 1 MB) through 8 KiB of memory, nobody reading
            appendWhenRoom(log, kilobyte);
        }
        assertThat(log.oldestSeq()).as("nothing went").isOne();
        assertThat(readAll(log.open(1, () -> { }, false))).hasSize(800);
    }

    @Test
    void endedLogsKeepToTheRetainedBudgetTheOldestGoingFirst() throws Exception {
        store = new LogStore(dir, new LogStore.Limits(MEMORY, 1 << 30, 1 << 22, 1 << 26, 1 << 20));
        byte[] kilobyte = new byte[1000];
        List<ExecutionLog> ended = new ArrayList<>();
        for (int n = 0; n < 3; n++) { // 600 KB each, and a 1 MiB budget for them: only the newest stays
            ExecutionLog log = store.create("log" + n, true);
            for (int i = 0; i < 600; i++) {
                appendWhenRoom(log, kilobyte);
            }
            log.end();
            ended.add(log);
        }
        await("the oldest ended logs gone", () -> store.size() == 1);
        assertThatThrownBy(() -> ended.get(0).open(1, () -> { }, false)).isInstanceOf(LogPositionException.class);
        assertThatThrownBy(() -> ended.get(1).open(1, () -> { }, false)).isInstanceOf(LogPositionException.class);
        assertThat(readAll(ended.get(2).open(1, () -> { }, false))).hasSize(600);
        assertThat(store.diskBytes()).isLessThanOrEqualTo(1 << 20);
    }

    @Test
    void theTotalDiskBudgetIsShared() throws Exception {
        store = new LogStore(dir, new LogStore.Limits(MEMORY, 1 << 30, 1 << 20, 1 << 20, 1 << 20));
        ExecutionLog a = store.create("a", false);
        ExecutionLog b = store.create("b", false);
        Cursor ca = a.open(1, () -> { }, false);
        Cursor cb = b.open(1, () -> { }, false);
        byte[] kilobyte = new byte[1000];
        assertThat(fillUntilHeldBack(a, 1 << 20)).isLessThan(2_000);
        for (int i = 0; i < 20; i++) {
            b.append(seq -> kilobyte);
        }
        await("b spills nothing: the budget is a's", () -> !b.hasRoom() || store.diskBytes() <= 1 << 20);
        CountDownLatch room = new CountDownLatch(1);
        b.whenRoom(room::countDown);
        readAll(ca); // a's follower catches up: its segments go, the budget comes back, b goes on
        ca.close();
        assertThat(room.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(readAll(cb)).hasSize(20);
    }

    @Test
    void allLogsTogetherKeepToTheirMemoryBudget() throws Exception {
        long budget = 256 * 1024;
        store = new LogStore(dir, new LogStore.Limits(128 * 1024, budget, 1 << 22, 1 << 26, 1 << 26));
        List<ExecutionLog> logs = new ArrayList<>();
        List<Cursor> idle = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ExecutionLog log = store.create("log" + i, false);
            idle.add(log.open(1, () -> { }, false));
            logs.add(log);
        }
        byte[] kilobyte = new byte[1000];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int k = 0; k < 200; k++) { // 200 KB into each of ten logs: each under its own bound, 8x the budget
            for (ExecutionLog log : logs) {
                while (!log.hasRoom()) {
                    Thread.sleep(1);
                    assertThat(System.nanoTime() < deadline).as("room comes as logs spill").isTrue();
                }
                log.append(seq -> kilobyte);
                // Past twice the budget a producer waits once its own log holds more than its share.
                assertThat(store.memoryBytes()).isLessThanOrEqualTo(2 * budget + logs.size() * (64 * 1024 + 1024));
            }
        }
        // Then each log spills down to its share: what they hold together is about the budget, not their own bounds.
        long share = 64 * 1024 + 1024;
        await("spilled down to the shares", () -> store.memoryBytes() <= Math.max(budget, logs.size() * share));
        assertThat(store.memoryBytes()).isLessThan(10 * 128 * 1024);
        for (Cursor c : idle) {
            assertThat(readAll(c)).hasSize(200);
        }
    }

    @Test
    void whatEveryFollowerHasReadGoesWhenTheDiskCannotTakeIt() throws Exception {
        store = new LogStore(dir, new LogStore.Limits(MEMORY, 1 << 30, 1 << 20, 1 << 20, 1 << 20));
        ExecutionLog hog = store.create("hog", false);
        Cursor idle = hog.open(1, () -> { }, false);
        fillUntilHeldBack(hog, 1 << 20); // the whole disk budget, held by a follower that reads nothing
        long disk = store.diskBytes();

        ExecutionLog log = store.create("fast", false);
        Cursor reader = log.open(1, () -> { }, false);
        byte[] kilobyte = new byte[1000];
        for (int i = 0; i < 2_000; i++) { // 2 MB through 8 KiB of memory, with no disk to spill to
            if (!log.hasRoom()) {
                readAll(reader);
                CountDownLatch room = new CountDownLatch(1);
                log.whenRoom(room::countDown);
                assertThat(room.await(10, TimeUnit.SECONDS)).as("room once the follower has read, frame " + i)
                        .isTrue();
            }
            log.append(seq -> kilobyte);
        }
        readAll(reader);
        assertThat(reader.position()).isEqualTo(2_001);
        assertThat(log.oldestSeq()).as("what was read went").isGreaterThan(1_000);
        assertThat(store.diskBytes()).isEqualTo(disk);
        idle.close();
    }
}
