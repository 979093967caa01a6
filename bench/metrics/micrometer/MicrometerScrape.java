// SPDX-License-Identifier: Apache-2.0
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;

/** ccx's families in Micrometer's Prometheus registry; times a text scrape. Args: jvm|app WARMUP COUNT. */
public final class MicrometerScrape {
    public static void main(String[] args) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Shape.register(new Shape.Sink() {
            public void counter(String name, String[] labels, String[][] values, double v) {
                for (String[] lv : values) {
                    Counter.builder(name).tags(tags(labels, lv)).register(r).increment(v);
                }
            }

            public void histogram(String name, String label, String[] values, double[] bounds, double v) {
                for (String lv : values) {
                    DistributionSummary.Builder b = DistributionSummary.builder(name).serviceLevelObjectives(bounds);
                    (lv == null ? b : b.tag(label, lv)).register(r).record(v);
                }
            }

            public void gauge(String name, double v) {
                Gauge.builder(name, () -> v).register(r);
            }
        });
        if (args[0].equals("jvm")) {
            new JvmMemoryMetrics().bindTo(r);
            new JvmGcMetrics().bindTo(r);
            new JvmThreadMetrics().bindTo(r);
            new ClassLoaderMetrics().bindTo(r);
            new ProcessorMetrics().bindTo(r);
            new UptimeMetrics().bindTo(r);
            new FileDescriptorMetrics().bindTo(r);
        }
        int warmup = Integer.parseInt(args[1]);
        long[] t = new long[Integer.parseInt(args[2])];
        int bytes = 0;
        for (int i = -warmup; i < t.length; i++) {
            long t0 = System.nanoTime();
            bytes = r.scrape().length();
            if (i >= 0) {
                t[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(t);
        System.out.printf("micrometer %s %d %.1f %.1f%n", args[0], bytes, t[t.length / 2] / 1e3,
                t[(int) (t.length * 0.99)] / 1e3);
    }

    private static Tags tags(String[] labels, String[] values) {
        Tags tags = Tags.empty();
        for (int i = 0; i < labels.length; i++) {
            tags = tags.and(labels[i], values[i]);
        }
        return tags;
    }
}
