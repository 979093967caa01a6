// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run history in the server process, persisted to {@code <dir>/history.jsonl} so that it survives a restart: the
 * store used when no Redis is configured, and the one the fallback store answers from while Redis is not.
 *
 * <p>The newest {@value #KEEP} runs of each key are kept in memory. Each run is appended to the file as one line
 * ({@link RunRecordJson#line}); the file is read back at construction. Runs pushed out of memory stay in the file
 * until it holds more than twice as many lines as are kept, when it is compacted: rewritten with the kept runs only,
 * through a temporary file moved into place atomically. Lines that cannot be read (a torn last line after a crash,
 * a hand edit) are skipped with one warning, and the next compaction drops them.
 *
 * <p>The disk never fails a call: if the file cannot be written, that is logged once and the store works in memory;
 * at most every {@value #RETRY_MILLIS} ms a later run tries to rewrite the whole file, which also puts back what
 * was missed.
 *
 * <p>Thread-safe. One lock guards memory and is held for memory work only, so {@code estimate} on a request thread
 * never waits for the disk; a second lock orders the file writes, which happen outside the first. A run already in
 * a compaction's snapshot is not appended again.
 */
public final class EmbeddedTimingStore implements TimingStore {
    /** Runs kept per key, as in the original's Redis history. */
    static final int KEEP = 100;
    private static final long RETRY_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTimingStore.class);
    private static final Comparator<TaskKey> KEY_ORDER =
            Comparator.comparing(TaskKey::category).thenComparing(TaskKey::name);

    private final Object lock = new Object();
    /** Orders the writes to the file; taken before {@link #lock} when both are needed, never the other way. */
    private final Object fileLock = new Object();
    /** Each key's runs, oldest first. */
    private final Map<TaskKey, List<RunRecord>> runs = new HashMap<>();
    private final JsonlFile file;
    private int kept;
    /** Runs added so far, numbering each; under {@link #lock}. */
    private long added;
    /** The last run number that a compaction wrote; under {@link #fileLock}. */
    private long compactedThrough;
    private long fileLines;
    /** Memory holds runs the file lacks: the next write is a whole rewrite, once {@link #retryAt} has come. */
    private boolean fileBehind;
    private long retryAt;
    private boolean closed;

    /**
     * Loads the history kept in {@code dir} (e.g. {@code <state dir>/timing}), which is created when first written.
     *
     * @param dir the directory of {@code history.jsonl}
     */
    public EmbeddedTimingStore(Path dir) {
        this.file = new JsonlFile(dir.resolve("history.jsonl"));
        synchronized (fileLock) {
            load();
        }
    }

    @Override
    public void record(RunRecord run) {
        long number;
        synchronized (lock) {
            number = add(run);
        }
        synchronized (fileLock) {
            if (!closed && number > compactedThrough) {
                persist(run);
            }
        }
    }

    @Override
    public List<RunRecord> history(TaskKey key, int limit) {
        synchronized (lock) {
            List<RunRecord> own = runs.getOrDefault(key, List.of());
            List<RunRecord> out = new ArrayList<>(Math.max(0, Math.min(limit, own.size())));
            for (int i = own.size() - 1; i >= 0 && out.size() < limit; i--) {
                out.add(own.get(i));
            }
            return out;
        }
    }

    @Override
    public List<TaskKey> keys(String category) {
        return keysWhere(k -> k.category().equals(category));
    }

    @Override
    public List<TaskKey> keys() {
        return keysWhere(k -> true);
    }

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public void close() {
        synchronized (fileLock) {
            closed = true;
            file.close();
        }
    }

    /** Where the history is persisted. */
    public Path file() {
        return file.path();
    }

    private List<TaskKey> keysWhere(Predicate<TaskKey> filter) {
        synchronized (lock) {
            return runs.keySet().stream().filter(filter).sorted(KEY_ORDER).toList();
        }
    }

    private void load() {
        List<String> lines = file.read();
        int unreadable = 0;
        for (String line : lines) {
            try {
                RunRecord run = RunRecordJson.fromLine(line);
                synchronized (lock) {
                    add(run);
                }
            } catch (IllegalArgumentException e) {
                unreadable++;
            }
        }
        fileLines = lines.size();
        if (unreadable > 0) {
            LOG.warn("skipped {} unreadable line(s) of {}", unreadable, file.path());
        }
        LOG.debug("loaded {} run(s) of {} task key(s) from {}", kept, runs.size(), file.path());
        if (unreadable > 0 || fileLines > 2L * kept) {
            compact();
        }
    }

    /**
     * Inserts in timestamp order (runs usually arrive in order, so the scan from the end is short); under
     * {@link #lock}. Returns the run's number.
     */
    private long add(RunRecord run) {
        List<RunRecord> own = runs.computeIfAbsent(run.key(), k -> new ArrayList<>());
        int i = own.size();
        while (i > 0 && own.get(i - 1).timestampMillis() > run.timestampMillis()) {
            i--;
        }
        own.add(i, run);
        kept++;
        if (own.size() > KEEP) {
            own.removeFirst();
            kept--;
        }
        return ++added;
    }

    /** Appends {@code run}, or compacts when the file has grown; under {@link #fileLock}. */
    private void persist(RunRecord run) {
        if (fileBehind) {
            if (System.currentTimeMillis() >= retryAt) {
                compact();
            }
            return;
        }
        if (!file.append(RunRecordJson.line(run))) {
            behind();
            return;
        }
        fileLines++;
        int keptNow;
        synchronized (lock) {
            keptNow = kept;
        }
        if (fileLines > 2L * keptNow) {
            compact();
        }
    }

    /** Rewrites the file with what memory holds; under {@link #fileLock}, the snapshot taken under {@link #lock}. */
    private void compact() {
        List<RunRecord> snapshot;
        long through;
        synchronized (lock) {
            snapshot = runs.values().stream().flatMap(List::stream).toList();
            through = added;
        }
        List<String> lines = snapshot.stream().sorted(Comparator.comparingLong(RunRecord::timestampMillis))
                .map(RunRecordJson::line).toList();
        if (file.rewrite(lines)) {
            fileLines = lines.size();
            fileBehind = false;
            compactedThrough = through;
        } else {
            behind();
        }
    }

    private void behind() {
        fileBehind = true;
        retryAt = System.currentTimeMillis() + RETRY_MILLIS;
    }
}
