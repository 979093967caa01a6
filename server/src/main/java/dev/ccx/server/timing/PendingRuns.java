// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs recorded while Redis was unavailable, oldest first, waiting to be written to it: kept in memory and in
 * {@code <dir>/pending.jsonl} (one {@link RunRecordJson#line} each), so that a restart during an outage loses none.
 *
 * <p>At most {@value #MAX} are kept; beyond that the oldest are dropped (logged once per outage): Redis keeps only
 * the newest 100 of a key anyway, so what is lost is counts in the stats hashes, not useful history. Disk failures
 * are handled as in {@link JsonlFile}: logged once, the queue carries on in memory.
 *
 * <p>Thread-safe.
 */
final class PendingRuns implements AutoCloseable {
    static final int MAX = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(PendingRuns.class);

    private final Object lock = new Object();
    private final ArrayDeque<RunRecord> runs = new ArrayDeque<>();
    private final JsonlFile file;
    private boolean dropping;

    /** Loads what an earlier run of the server left in {@code dir}. */
    PendingRuns(Path dir) {
        this.file = new JsonlFile(dir.resolve("pending.jsonl"));
        synchronized (lock) {
            int unreadable = 0;
            for (String line : file.read()) {
                try {
                    runs.addLast(RunRecordJson.fromLine(line));
                } catch (IllegalArgumentException e) {
                    unreadable++;
                }
            }
            while (runs.size() > MAX) {
                runs.removeFirst();
            }
            if (unreadable > 0) {
                LOG.warn("skipped {} unreadable line(s) of {}", unreadable, file.path());
                file.rewrite(lines());
            }
            if (!runs.isEmpty()) {
                LOG.info("{} run(s) from an earlier Redis outage wait to be written to Redis", runs.size());
            }
        }
    }

    /** Queues a run. */
    void add(RunRecord run) {
        synchronized (lock) {
            if (runs.size() >= MAX) {
                runs.removeFirst();
                if (!dropping) {
                    dropping = true;
                    LOG.warn("more than {} runs wait for Redis; dropping the oldest", MAX);
                }
            }
            runs.addLast(run);
            file.append(RunRecordJson.line(run));
        }
    }

    /** The oldest {@code max} queued runs, still queued. */
    List<RunRecord> peek(int max) {
        synchronized (lock) {
            return runs.stream().limit(max).toList();
        }
    }

    /** Removes the oldest {@code n} (written to Redis) and rewrites the file with the rest. */
    void removeFirst(int n) {
        if (n <= 0) {
            return;
        }
        synchronized (lock) {
            for (int i = 0; i < n && !runs.isEmpty(); i++) {
                runs.removeFirst();
            }
            if (runs.isEmpty()) {
                dropping = false;
            }
            file.rewrite(lines());
        }
    }

    /** How many wait. */
    int size() {
        synchronized (lock) {
            return runs.size();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            file.close();
        }
    }

    private List<String> lines() {
        List<String> out = new ArrayList<>(runs.size());
        for (RunRecord r : runs) {
            out.add(RunRecordJson.line(r));
        }
        return out;
    }
}
