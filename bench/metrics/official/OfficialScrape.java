// SPDX-License-Identifier: Apache-2.0
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** ccx's families in the official client's registry; times a text scrape. Args: jvm|app WARMUP COUNT. */
public final class OfficialScrape {
    public static void main(String[] args) throws Exception {
        PrometheusRegistry r = new PrometheusRegistry();
        Shape.register(new Shape.Sink() {
            public void counter(String name, String[] labels, String[][] values, double v) {
                Counter c = Counter.builder().name(name).help(name).labelNames(labels).register(r);
                for (String[] lv : values) {
                    c.labelValues(lv).inc(v);
                }
            }

            public void histogram(String name, String label, String[] values, double[] bounds, double v) {
                Histogram.Builder b = Histogram.builder().name(name).help(name).classicOnly()
                        .classicUpperBounds(bounds);
                Histogram h = label == null ? b.register(r) : b.labelNames(label).register(r);
                for (String lv : values) {
                    (lv == null ? h : h.labelValues(lv)).observe(v);
                }
            }

            public void gauge(String name, double v) {
                GaugeWithCallback.builder().name(name).help(name).callback(cb -> cb.call(v)).register(r);
            }
        });
        if (args[0].equals("jvm")) {
            JvmMetrics.builder().register(r);
        }
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        int warmup = Integer.parseInt(args[1]);
        long[] t = new long[Integer.parseInt(args[2])];
        int bytes = 0;
        for (int i = -warmup; i < t.length; i++) {
            long t0 = System.nanoTime();
            ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
            writer.write(out, r.scrape());
            bytes = out.size();
            if (i >= 0) {
                t[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(t);
        System.out.printf("official %s %d %.1f %.1f%n", args[0], bytes, t[t.length / 2] / 1e3,
                t[(int) (t.length * 0.99)] / 1e3);
    }
}
