// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ccx.protocol.EndReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class EmbeddedTimingStoreTest {
    private static final TaskKey GIT = new TaskKey("cmd", "git_status");
    private static final TaskKey LS = new TaskKey("cmd", "ls");
    private static final TaskKey HAIKU = new TaskKey("claude", "haiku_5");
    private static final long T0 = 1_750_000_000_000L;

    @TempDir
    Path dir;

    static RunRecord run(TaskKey key, long millis, double seconds) {
        return new RunRecord(key, millis, seconds, 0, EndReason.EXIT, null, 0.5, 4);
    }

    @Test
    void recordsAndReadsNewestFirst() {
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            RunRecord a = run(GIT, T0 + 2000, 1.5);
            RunRecord b = new RunRecord(GIT, T0, 30.0, -9, EndReason.TIMEOUT, 30.0, 2.25, 8);
            RunRecord c = run(GIT, T0 + 1000, 0.25);
            store.record(a);
            store.record(b);
            store.record(c);
            store.record(run(LS, T0, 0.01));
            store.record(run(HAIKU, T0, 12));

            assertThat(store.history(GIT, 10)).containsExactly(a, c, b);
            assertThat(store.history(GIT, 2)).containsExactly(a, c);
            assertThat(store.history(GIT, 0)).isEmpty();
            assertThat(store.history(new TaskKey("cmd", "never"), 10)).isEmpty();
            assertThat(store.keys("cmd")).containsExactly(GIT, LS);
            assertThat(store.keys()).containsExactly(HAIKU, GIT, LS);
            assertThat(store.keys("none")).isEmpty();
            assertThat(store.name()).isEqualTo("embedded");
            assertThat(store.degraded()).isFalse();
        }
    }

    @Test
    void keepsTheNewestHundredPerKey() {
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            for (int i = 0; i < 150; i++) {
                store.record(run(GIT, T0 + i * 1000L, i));
            }
            store.record(run(LS, T0, 1));
            List<RunRecord> runs = store.history(GIT, 1000);
            assertThat(runs).hasSize(100);
            assertThat(runs.getFirst().timestampMillis()).isEqualTo(T0 + 149_000);
            assertThat(runs.getLast().timestampMillis()).isEqualTo(T0 + 50_000);
            assertThat(store.history(LS, 1000)).hasSize(1);
        }
    }

    @Test
    void historySurvivesARestart() {
        List<RunRecord> written = new ArrayList<>();
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            for (EndReason reason : EndReason.values()) {
                RunRecord r = new RunRecord(GIT, T0 + written.size(), 0.1 * (written.size() + 1),
                        written.size(), reason, written.size() % 2 == 0 ? null : 7.5, 1.0 / 3, 2);
                store.record(r);
                written.add(r);
            }
        }
        assertThat(dir.resolve("history.jsonl")).exists();
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            assertThat(store.history(GIT, 100)).containsExactlyElementsOf(written.reversed());
            assertThat(store.keys()).containsExactly(GIT);
        }
    }

    @Test
    void compactsTheFileWhenItHoldsTwiceWhatIsKept() throws IOException {
        Path file = dir.resolve("history.jsonl");
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            for (int i = 0; i < 250; i++) {
                store.record(run(GIT, T0 + i * 1000L, i));
                assertThat(lines(file)).as("lines after run %d", i).hasSizeLessThanOrEqualTo(200);
            }
        }
        // Compacted at 201 lines down to 100; 49 appended since.
        assertThat(lines(file)).hasSize(149);
        assertThat(dir.resolve("history.jsonl.tmp")).doesNotExist();
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            List<RunRecord> runs = store.history(GIT, 1000);
            assertThat(runs).hasSize(100);
            assertThat(runs.getFirst().timestampMillis()).isEqualTo(T0 + 249_000);
            assertThat(runs.getLast().timestampMillis()).isEqualTo(T0 + 150_000);
        }
    }

    @Test
    void toleratesCorruptLines() throws IOException {
        Path file = dir.resolve("history.jsonl");
        RunRecord good = run(GIT, T0, 1);
        RunRecord good2 = run(LS, T0 + 1, 2);
        Files.writeString(file, RunRecordJson.line(good) + "\n"
                + "this is not json\n"
                + "{\"category\":\"cmd\",\"name\":\"BAD KEY\",\"timestamp\":1,\"actual\":1}\n"
                + "{\"category\":\"cmd\",\"name\":\"no_actual\",\"timestamp\":1}\n"
                + RunRecordJson.line(good2) + "\n"
                + "{\"category\":\"cmd\",\"name\":\"torn\",\"timest", StandardCharsets.UTF_8);
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            assertThat(store.keys()).containsExactly(GIT, LS);
            // Loading found bad lines and compacted them away.
            assertThat(lines(file)).hasSize(2);
            store.record(run(GIT, T0 + 5, 3));
        }
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            assertThat(store.history(GIT, 10)).hasSize(2);
            assertThat(store.history(LS, 10)).containsExactly(good2);
        }
    }

    @Test
    void aLastLineWithoutLineBreakIsNotJoinedByTheNextAppend() throws IOException {
        Path file = dir.resolve("history.jsonl");
        RunRecord first = run(GIT, T0, 1);
        Files.writeString(file, RunRecordJson.line(first), StandardCharsets.UTF_8);
        RunRecord second = run(GIT, T0 + 1000, 2);
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            store.record(second);
        }
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            assertThat(store.history(GIT, 10)).containsExactly(second, first);
        }
    }

    @Test
    void anUnwritableDirectoryLeavesTheStoreWorkingInMemoryAndIsLoggedOnce() throws IOException {
        // A regular file where the directory should be: creating the directory fails, even for root.
        Path notADir = dir.resolve("blocked");
        Files.writeString(notADir, "x");
        Logger log = (Logger) LoggerFactory.getLogger(JsonlFile.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(notADir.resolve("timing"))) {
            for (int i = 0; i < 20; i++) {
                store.record(run(GIT, T0 + i, i));
            }
            assertThat(store.history(GIT, 100)).hasSize(20);
            assertThat(store.keys()).containsExactly(GIT);
        } finally {
            log.detachAppender(events);
        }
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1);
    }

    @Test
    void isThreadSafe() throws Exception {
        int threads = 8;
        int each = 200;
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    TaskKey key = new TaskKey("cmd", "k" + t);
                    pool.execute(() -> {
                        for (int i = 0; i < each; i++) {
                            store.record(run(key, T0 + i, i));
                            store.history(key, 5);
                            store.keys();
                        }
                    });
                }
                pool.shutdown();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(store.keys()).hasSize(threads);
            for (TaskKey key : store.keys()) {
                assertThat(store.history(key, 1000)).hasSize(100);
            }
        }
        try (EmbeddedTimingStore store = new EmbeddedTimingStore(dir)) {
            for (TaskKey key : store.keys()) {
                assertThat(store.history(key, 1000)).hasSize(100);
            }
            assertThat(store.keys()).hasSize(threads);
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
