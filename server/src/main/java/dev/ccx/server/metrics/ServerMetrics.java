// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.metrics;

import dev.ccx.protocol.EndReason;
import dev.ccx.server.observe.ExecutionSummary;
import dev.ccx.server.observe.LineSink;
import dev.ccx.server.observe.Refusal;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.process.Signal;
import dev.ccx.server.process.StdStream;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.DoubleSupplier;

/**
 * The server's metrics. Counters are bumped by the threads doing the work (a striped add, no lock); what is a state
 * rather than an event (running executions, sessions, log bytes) is read at scrape time through
 * {@link #gauge}. Families and their labels are listed in docs/metrics.md.
 */
public final class ServerMetrics implements ServerObserver {
    private static final double[] DURATION_BOUNDS = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
        7200, 21600, 86400};
    private static final double[] SPAWN_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
        1};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final ClaudeUsage claude = new ClaudeUsage();
    private final Counter started;
    private final Counter finished;
    private final Histogram duration;
    private final Histogram spawn;
    private final Counter refusals;
    private final Counter signals;
    private final Counter leftovers;
    /** Per stream (by ordinal): the data points of the output counters, looked up once. */
    private final CounterDataPoint[] bytesOut = new CounterDataPoint[2];
    private final CounterDataPoint[] linesOut = new CounterDataPoint[2];

    /** Creates the registry with the server's families, the JVM's and the process's. */
    public ServerMetrics() {
        started = Counter.builder().name("ccx_executions_started")
                .help("Executions whose process was spawned").labelNames("kind").register(registry);
        finished = Counter.builder().name("ccx_executions_finished")
                .help("Executions that ended, by how they ended").labelNames("reason", "kind").register(registry);
        duration = Histogram.builder().name("ccx_execution_duration_seconds").unit(Unit.SECONDS)
                .help("Wall time from spawn to end").labelNames("kind").classicOnly()
                .classicUpperBounds(DURATION_BOUNDS).register(registry);
        spawn = Histogram.builder().name("ccx_spawn_latency_seconds").unit(Unit.SECONDS)
                .help("Time to start a process (the spawn call, until the process exists)").classicOnly()
                .classicUpperBounds(SPAWN_BOUNDS).register(registry);
        Counter bytes = Counter.builder().name("ccx_output_bytes").help("Bytes read from processes' output")
                .labelNames("stream").register(registry);
        Counter lines = Counter.builder().name("ccx_output_lines").help("Lines read from processes' output")
                .labelNames("stream").register(registry);
        for (StdStream s : StdStream.values()) {
            bytesOut[s.ordinal()] = bytes.labelValues(s.wire());
            linesOut[s.ordinal()] = lines.labelValues(s.wire());
        }
        refusals = Counter.builder().name("ccx_limit_refusals")
                .help("Requests and connections refused because a limit was reached").labelNames("limit")
                .register(registry);
        signals = Counter.builder().name("ccx_signals_sent")
                .help("Signals delivered to process groups").labelNames("signal").register(registry);
        leftovers = Counter.builder().name("ccx_leftover_groups_ended")
                .help("Process groups left by a previous server and ended at start-up").register(registry);
        // Every label value a family will have is there from the first scrape, at 0, so rates start at once.
        for (String kind : new String[] {"claude", "command"}) {
            started.labelValues(kind);
            duration.labelValues(kind);
            for (EndReason r : EndReason.values()) {
                finished.labelValues(r.wire(), kind);
            }
        }
        claude.register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** Registers a gauge read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    /** Registers a counter kept elsewhere, read at scrape time. */
    public void counter(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    /** What Claude Code runs have cost and used, for the {@code usage} method. */
    public ClaudeUsage claude() {
        return claude;
    }

    /**
     * Writes every family in the format {@code accept} asks for (Prometheus text, or OpenMetrics).
     *
     * @return the content type written
     */
    public String scrape(String accept, OutputStream out) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        writer.write(out, registry.scrape());
        return writer.getContentType();
    }

    @Override
    public void executionStarted(String kind, long spawnNanos) {
        started.labelValues(kind).inc();
        spawn.observe(spawnNanos / 1e9);
    }

    @Override
    public void output(StdStream stream, int bytes, int lines) {
        bytesOut[stream.ordinal()].inc(bytes);
        if (lines > 0) {
            linesOut[stream.ordinal()].inc(lines);
        }
    }

    @Override
    public void signalSent(Signal signal) {
        signals.labelValues(signal.name()).inc();
    }

    @Override
    public void executionFinished(ExecutionSummary e) {
        finished.labelValues(e.reason().wire(), e.kind()).inc();
        duration.labelValues(e.kind()).observe(e.durationSeconds());
    }

    @Override
    public void refused(Refusal refusal) {
        if (refusal.limit()) {
            refusals.labelValues(refusal.rule()).inc();
        }
    }

    @Override
    public void leftoversEnded(int groups) {
        leftovers.inc(groups);
    }

    @Override
    public LineSink claudeStdout() {
        return claude.tap();
    }
}
