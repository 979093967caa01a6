// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import dev.ccx.protocol.TaskStats;
import dev.ccx.server.concurrent.Threads;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the rest of the server asks of timing: the task key of a command, a predicted timeout, recording a finished
 * run, and history and statistics for the JSON-RPC methods.
 *
 * <p>Recording happens on a virtual thread after {@code process.completed} has been sent, so it never delays an
 * execution. Estimating runs on the request path; it reads the store, whose every call is bounded, and any failure
 * yields the configured default instead of an error.
 */
public final class TimingService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TimingService.class);
    private static final int OWN_HISTORY = 50;
    private static final int SIMILAR_KEYS = 10;
    private static final int SIMILAR_HISTORY = 20;

    private final TimingStore store;
    private final TaskClassifier classifier;
    private final Estimator estimator;
    private final LoadProbe load;
    private final ExecutorService recorder =
            Threads.virtualPerTask("timing");

    /**
     * @param store      where history lives
     * @param classifier command to task key
     * @param estimator  history to timeout
     * @param load       the machine's load
     */
    public TimingService(TimingStore store, TaskClassifier classifier, Estimator estimator, LoadProbe load) {
        this.store = store;
        this.classifier = classifier;
        this.estimator = estimator;
        this.load = load;
    }

    /** The task key of a command string or argv (exactly one non-null). */
    public TaskKey classify(String command, List<String> argv) {
        return classifier.classify(command, argv);
    }

    /** The predicted timeout for {@code key}. Never throws. */
    public Estimate estimate(TaskKey key) {
        List<RunRecord> own = List.of();
        List<RunRecord> similar = new ArrayList<>();
        try {
            own = store.history(key, OWN_HISTORY);
            if (own.stream().filter(RunRecord::endedOnItsOwn).count() < 3) {
                for (TaskKey other : store.keys(key.category()).stream().filter(k -> !k.equals(key))
                        .limit(SIMILAR_KEYS).toList()) {
                    similar.addAll(store.history(other, SIMILAR_HISTORY));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("estimate for {} without history: {}", key, e.toString());
        }
        return estimator.estimate(key, own, similar, load.load1(), load.cores());
    }

    /** Records a finished run in the background. */
    public void record(RunRecord run) {
        try {
            recorder.execute(() -> {
                try {
                    store.record(run);
                } catch (RuntimeException e) {
                    LOG.debug("run of {} not recorded: {}", run.key(), e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("run of {} not recorded: shutting down", run.key());
        }
    }

    /** Builds a record for a run that just ended, with the load now. */
    public RunRecord runRecord(TaskKey key, double durationSeconds, int exitCode, dev.ccx.protocol.EndReason reason,
                               Double timeoutSeconds) {
        return new RunRecord(key, System.currentTimeMillis(), durationSeconds, exitCode, reason, timeoutSeconds,
                load.load1(), load.cores());
    }

    /** The newest runs of {@code key}, newest first. */
    public List<RunRecord> history(TaskKey key, int limit) {
        return store.history(key, limit);
    }

    /** Statistics for every key, or those of one category, most recently run first. */
    public List<TaskStats> stats(String category) {
        List<TaskKey> keys = category == null ? store.keys() : store.keys(category);
        List<TaskStats> out = new ArrayList<>();
        for (TaskKey key : keys) {
            List<RunRecord> runs = store.history(key, 100);
            if (!runs.isEmpty()) {
                out.add(statsOf(key, runs));
            }
        }
        out.sort(Comparator.comparingDouble(TaskStats::lastRun).reversed());
        return out;
    }

    static TaskStats statsOf(TaskKey key, List<RunRecord> runs) {
        double[] durations = runs.stream().filter(RunRecord::endedOnItsOwn).mapToDouble(RunRecord::durationSeconds)
                .sorted().toArray();
        long ok = runs.stream().filter(RunRecord::succeeded).count();
        double last = runs.stream().mapToLong(RunRecord::timestampMillis).max().orElse(0) / 1000.0;
        return new TaskStats(key.category(), key.name(), runs.size(), (double) ok / runs.size(),
                percentile(durations, 0.50), percentile(durations, 0.90), percentile(durations, 0.95),
                percentile(durations, 0.99), last);
    }

    private static Double percentile(double[] sorted, double p) {
        return sorted.length == 0 ? null : Estimator.percentile(sorted, p);
    }

    /** {@code redis} or {@code embedded}. */
    public String storeName() {
        return store.name();
    }

    /** Whether Redis is configured but the embedded store answers. */
    public boolean degraded() {
        return store.degraded();
    }

    /** Calls the embedded store answered in Redis's place (see {@link TimingStore#fallbacks()}). */
    public long fallbacks() {
        return store.fallbacks();
    }

    /** Lets pending records reach the store (at most 0.2 s: shutdown must end within grace + 1 s), then closes it. */
    @Override
    public void close() {
        recorder.shutdown();
        try {
            recorder.awaitTermination(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
