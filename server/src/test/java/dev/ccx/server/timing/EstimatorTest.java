// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ccx.protocol.EndReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Estimator} with its default settings: sources, percentile, outliers, load scaling, floors. */
class EstimatorTest {
    private static final TaskKey CMD = new TaskKey("cmd", "make_build");
    private static final TaskKey CLAUDE = new TaskKey("claude", "code_m");
    private static final double IDLE = 0.5;
    private static final int CORES = 8;

    private final Estimator estimator = new Estimator();
    private long clock = 1_000_000;

    /** Runs of CMD ending in order, newest last; each {@code exit} with code 0. */
    private List<RunRecord> runs(double... durations) {
        return runs(CMD, EndReason.EXIT, durations);
    }

    private List<RunRecord> runs(TaskKey key, EndReason reason, double... durations) {
        List<RunRecord> out = new ArrayList<>();
        for (double d : durations) {
            out.add(new RunRecord(key, clock++, d, 0, reason, null, 1.0, CORES));
        }
        return out;
    }

    private Estimate estimate(List<RunRecord> own) {
        return estimator.estimate(CMD, own, List.of(), IDLE, CORES);
    }

    @Test
    void noHistoryGivesTheCategoryDefault() {
        Estimate cmd = estimator.estimate(CMD, List.of(), List.of(), IDLE, CORES);
        assertThat(cmd.source()).isEqualTo("default");
        assertThat(cmd.timeoutSeconds()).isEqualTo(600);
        assertThat(cmd.expectedSeconds()).isNull();
        assertThat(cmd.samples()).isZero();
        assertThat(cmd.loadFactor()).isEqualTo(1.0);
        Estimate claude = estimator.estimate(CLAUDE, null, null, IDLE, CORES);
        assertThat(claude.source()).isEqualTo("default");
        assertThat(claude.timeoutSeconds()).isEqualTo(1800);
        assertThat(claude.key()).isEqualTo(CLAUDE);
        Estimate other = estimator.estimate(new TaskKey("review", "x"), null, null, IDLE, CORES);
        assertThat(other.timeoutSeconds()).isEqualTo(600);
    }

    @Test
    void oneRunIsNotHistory() {
        assertThat(estimate(runs(42)).source()).isEqualTo("default");
        assertThat(estimate(runs(42, 43)).source()).isEqualTo("default");
    }

    @Test
    void exactlyMinOwnRunsIsHistory() {
        Estimate e = estimate(runs(20, 30, 40));
        assertThat(e.source()).isEqualTo("history");
        assertThat(e.samples()).isEqualTo(3);
        // n = 3: nearest rank ceil(2.85) = 3, the maximum.
        assertThat(e.timeoutSeconds()).isEqualTo(60);
        assertThat(e.expectedSeconds()).isEqualTo(30);
    }

    @Test
    void percentileIsARealPercentile() {
        double[] d = new double[100];
        for (int i = 0; i < 100; i++) {
            d[i] = i + 1; // 1..100
        }
        List<RunRecord> all = runs(d);
        // Only the newest 50 count (51..100): the 48th smallest of them, ceil(0.95 * 50) = 48, is 98.
        Estimate e = estimate(all);
        assertThat(e.samples()).isEqualTo(50);
        assertThat(e.timeoutSeconds()).isEqualTo(98 * 1.5);
        assertThat(e.expectedSeconds()).isEqualTo(75.5);
        assertThat(Estimator.percentile(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 0.95)).isEqualTo(19);
        assertThat(Estimator.percentile(new double[] {7}, 0.95)).isEqualTo(7);
    }

    @Test
    void timedOutAndCanceledRunsAreNotDurations() {
        List<RunRecord> own = new ArrayList<>(runs(10, 10));
        own.addAll(runs(CMD, EndReason.TIMEOUT, 900, 900, 900));
        own.addAll(runs(CMD, EndReason.CANCELED, 1));
        own.addAll(runs(CMD, EndReason.IDLE_TIMEOUT, 300));
        assertThat(estimate(own).source()).isEqualTo("default");
        own.addAll(runs(12));
        Estimate e = estimate(own);
        assertThat(e.source()).isEqualTo("history");
        assertThat(e.samples()).isEqualTo(3);
        assertThat(e.timeoutSeconds()).isEqualTo(18);
    }

    @Test
    void failuresCountAsDurations() {
        List<RunRecord> own = new ArrayList<>();
        for (double d : new double[] {20, 30, 40}) {
            own.add(new RunRecord(CMD, clock++, d, 1, EndReason.EXIT, 600.0, 1.0, CORES));
        }
        assertThat(estimate(own).source()).isEqualTo("history");
    }

    @Test
    void allRunsTimedOutFallsThroughToSimilarThenDefault() {
        List<RunRecord> own = runs(CMD, EndReason.TIMEOUT, 600, 600, 600, 600);
        List<RunRecord> similar = new ArrayList<>();
        similar.addAll(runs(new TaskKey("cmd", "make_test"), EndReason.EXIT, 100, 120, 140));
        similar.addAll(runs(new TaskKey("cmd", "make_all"), EndReason.EXIT, 200, 80));
        Estimate e = estimator.estimate(CMD, own, similar, IDLE, CORES);
        assertThat(e.source()).isEqualTo("similar");
        assertThat(e.samples()).isEqualTo(5);
        assertThat(e.timeoutSeconds()).isEqualTo(300); // max 200 × 1.5
        assertThat(e.expectedSeconds()).isEqualTo(120);

        // Four similar runs are too few: the default.
        Estimate d = estimator.estimate(CMD, own, similar.subList(0, 4), IDLE, CORES);
        assertThat(d.source()).isEqualTo("default");
        assertThat(d.timeoutSeconds()).isEqualTo(600);
    }

    @Test
    void ownHistoryWinsOverSimilar() {
        List<RunRecord> similar = runs(new TaskKey("cmd", "other"), EndReason.EXIT, 500, 500, 500, 500, 500, 500);
        Estimate e = estimator.estimate(CMD, runs(20, 20, 20), similar, IDLE, CORES);
        assertThat(e.source()).isEqualTo("history");
        assertThat(e.timeoutSeconds()).isEqualTo(30);
    }

    @Test
    void oneHugeOutlierAmongFiveRunsSetsTheTimeout() {
        // Below 20 runs the p95 is the maximum: the outlier ended on its own, so the task can take that long.
        Estimate e = estimate(runs(10, 11, 1_000, 12, 10));
        assertThat(e.timeoutSeconds()).isEqualTo(1_500);
        assertThat(e.expectedSeconds()).isEqualTo(11); // the median does not move
    }

    @Test
    void oneHugeOutlierAmongFortyRunsIsIgnored() {
        double[] d = new double[40];
        Arrays.fill(d, 10);
        d[17] = 5_000;
        Estimate e = estimate(runs(d));
        assertThat(e.samples()).isEqualTo(40);
        assertThat(e.timeoutSeconds()).isEqualTo(15);
        // From 20 runs on, one outlier is already ignored; with 40, two are.
        double[] twenty = Arrays.copyOf(d, 20);
        assertThat(estimate(runs(twenty)).timeoutSeconds()).isEqualTo(15);
        d[30] = 5_000;
        assertThat(estimate(runs(d)).timeoutSeconds()).isEqualTo(15);
    }

    @Test
    void oldOutliersAgeOutOfTheWindow() {
        List<RunRecord> own = new ArrayList<>(runs(9_000, 9_000, 9_000, 9_000, 9_000));
        double[] recent = new double[50];
        Arrays.fill(recent, 30);
        own.addAll(runs(recent));
        Collections.shuffle(own, new Random(1)); // order of the list does not matter
        assertThat(estimate(own).timeoutSeconds()).isEqualTo(45);
    }

    @Test
    void loadAboveCoresScalesTheTimeout() {
        Estimate e = estimator.estimate(CMD, runs(20, 30, 40), List.of(), 16, 8);
        assertThat(e.loadFactor()).isEqualTo(2.0);
        assertThat(e.timeoutSeconds()).isEqualTo(120);
        assertThat(e.expectedSeconds()).isEqualTo(60);
        Estimate d = estimator.estimate(CLAUDE, List.of(), List.of(), 12, 8);
        assertThat(d.source()).isEqualTo("default");
        assertThat(d.timeoutSeconds()).isCloseTo(1800 * 1.5, within(1e-9));
    }

    @Test
    void loadBelowCoresDoesNotScale() {
        Estimate e = estimator.estimate(CMD, runs(20, 30, 40), List.of(), 7.9, 8);
        assertThat(e.loadFactor()).isEqualTo(1.0);
        assertThat(e.timeoutSeconds()).isEqualTo(60);
        assertThat(estimator.estimate(CMD, runs(20, 30, 40), List.of(), 0, 8).timeoutSeconds()).isEqualTo(60);
    }

    @Test
    void loadFactorIsCapped() {
        Estimate e = estimator.estimate(CMD, runs(20, 30, 40), List.of(), 200, 4);
        assertThat(e.loadFactor()).isEqualTo(3.0);
        assertThat(e.timeoutSeconds()).isEqualTo(180);
    }

    @Test
    void unknownLoadDoesNotScale() {
        assertThat(estimator.estimate(CMD, null, null, Double.NaN, 8).loadFactor()).isEqualTo(1.0);
        assertThat(estimator.estimate(CMD, null, null, -1, 8).loadFactor()).isEqualTo(1.0);
        assertThat(estimator.estimate(CMD, null, null, 50, 0).loadFactor()).isEqualTo(1.0);
        assertThat(estimator.estimate(CMD, null, null, Double.POSITIVE_INFINITY, 8).loadFactor()).isEqualTo(3.0);
    }

    @Test
    void minimumTimeoutForInstantCommands() {
        Estimate e = estimate(runs(0.01, 0.02, 0.015, 0.01));
        assertThat(e.timeoutSeconds()).isEqualTo(10);
        assertThat(e.expectedSeconds()).isCloseTo(0.0125, within(1e-12));
        // The floor is applied before the load factor.
        assertThat(estimator.estimate(CMD, runs(0.01, 0.01, 0.01), null, 16, 8).timeoutSeconds()).isEqualTo(20);
    }

    @Test
    void expectedIsTheMedian() {
        assertThat(estimate(runs(1, 2, 3, 100, 4)).expectedSeconds()).isEqualTo(3);
        assertThat(estimate(runs(4, 1, 3, 2)).expectedSeconds()).isEqualTo(2.5);
    }

    @Test
    void brokenRecordsAreSkipped() {
        List<RunRecord> own = new ArrayList<>(runs(10, Double.NaN, -5, Double.POSITIVE_INFINITY, 20));
        own.add(null);
        Estimate e = estimate(own);
        assertThat(e.source()).isEqualTo("default");
        own.addAll(runs(30));
        assertThat(estimate(own).samples()).isEqualTo(3);
    }

    @Test
    void settingsAreChecked() {
        Estimator.Settings d = Estimator.Settings.defaults();
        assertThat(d.percentile()).isEqualTo(0.95);
        assertThat(d.safetyFactor()).isEqualTo(1.5);
        assertThat(d.minOwnSamples()).isEqualTo(3);
        assertThat(d.minSimilarSamples()).isEqualTo(5);
        assertThat(d.minTimeoutSeconds()).isEqualTo(10);
        assertThat(d.maxLoadFactor()).isEqualTo(3.0);
        assertThat(d.defaultTimeoutByCategory()).containsExactly(Map.entry("claude", 1800.0));
        assertThat(d.defaultTimeoutSeconds()).isEqualTo(600);
        assertThatThrownBy(() -> new Estimator.Settings(0, 1.5, 3, 5, 10, 3, Map.of(), 600))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Estimator.Settings(0.95, 0.5, 3, 5, 10, 3, Map.of(), 600))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Estimator.Settings(0.95, 1.5, 0, 5, 10, 3, Map.of(), 600))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Estimator.Settings(0.95, 1.5, 3, 5, 10, 0.5, Map.of(), 600))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Estimator.Settings(0.95, 1.5, 3, 5, 10, 3, Map.of("x", -1.0), 600))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void customSettings() {
        Estimator median = new Estimator(new Estimator.Settings(0.5, 1.0, 1, 1, 1, 2, Map.of("cmd", 30.0), 5));
        assertThat(median.estimate(CMD, runs(100), null, IDLE, CORES).timeoutSeconds()).isEqualTo(100);
        assertThat(median.estimate(CMD, null, null, IDLE, CORES).timeoutSeconds()).isEqualTo(30);
        assertThat(median.estimate(new TaskKey("x", "y"), null, null, IDLE, CORES).timeoutSeconds()).isEqualTo(5);
    }
}
