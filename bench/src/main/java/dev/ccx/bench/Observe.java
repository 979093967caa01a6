// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmarks of issue 11: the time of a {@code /metrics} scrape with many executions running (next to
 * {@code /health}, the floor of an HTTP round trip to the same server), and (b) with the dashboard, in a real
 * headless Chromium, following the execution live (next to the same run with nobody else following).
 */
final class Observe {
    private static final int BUFFER = 1 << 20;
    private static final int TIMEOUT_MS = 60_000;
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Chromium's start-up work (profile, fonts, the page's first requests) is over well within this. */
    private static final long SETTLE_MILLIS = 5_000;
    private static final long IDLE_WINDOW_MILLIS = 500;

    private Observe() {
    }

    /** Starts {@code running} sleeping executions on one connection, then times scrapes and health requests. */
    static void scrape(URI url, int running, int warmup, int count, Results r, String key) throws Exception {
        URI http = URI.create("http://" + url.getHost() + ":" + url.getPort());
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
             HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            for (int i = 1; i <= running; i++) {
                ws.sendText(CcxClient.executeRequest(i, "{\"argv\":[\"sleep\",\"600\"]}"));
            }
            int answered = 0;
            while (answered < running) {
                int op = ws.next();
                if (op == RawWs.CLOSE || op == RawWs.EOF) {
                    throw new BenchFailure("connection closed after " + answered + " executes");
                }
                switch (Json.classify(ws.data, ws.off, ws.len)) {
                    case RESPONSE -> answered++;
                    case ERROR -> throw new BenchFailure("execute failed: " + ws.text());
                    default -> { }
                }
            }
            String body = get(client, http.resolve("/metrics")).body();
            double seen = gauge(body, "ccx_executions_running");
            if (seen != running) {
                throw new BenchFailure("ccx_executions_running is " + seen + ", expected " + running);
            }
            long[] scrapes = time(client, http.resolve("/metrics"), warmup, count);
            long[] health = time(client, http.resolve("/health"), warmup, count);
            Stats s = Stats.of(scrapes);
            Stats h = Stats.of(health);
            System.err.printf("%s: %d running, /metrics %s (%d bytes, %d families); /health %s%n", key, running, s,
                    body.length(), body.lines().filter(l -> l.startsWith("# TYPE ")).count(), h);
            s.record(r, key + ".metrics");
            h.record(r, key + ".health");
            r.put(key + ".running", running);
            r.put(key + ".bytes", body.length());
            r.put(key + ".families", body.lines().filter(l -> l.startsWith("# TYPE ")).count());
            ws.closeGracefully(5000);
        }
    }

    private static long[] time(HttpClient client, URI uri, int warmup, int count) throws Exception {
        long[] out = new long[count];
        for (int i = 0; i < warmup + count; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp = get(client, uri);
            long t = System.nanoTime() - t0;
            if (resp.statusCode() != 200) {
                throw new BenchFailure("GET " + uri + " answered " + resp.statusCode());
            }
            if (i >= warmup) {
                out[i - warmup] = t;
            }
        }
        return out;
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double gauge(String exposition, String name) {
        return exposition.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(name.length() + 1).strip())).findFirst().orElse(Double.NaN);
    }

    /**
     * (b) with and without the dashboard following, interleaved. One headless Chromium shows the dashboard for the
     * whole run, as an operator's tab would; it settles before the first run. Each run starts {@code sh -c 'read go
     * && exec GEN N'} with a stdin pipe; in the dashboard variant the page is pointed at it (its address's hash,
     * set over the DevTools protocol), and the run waits until {@code ccx_followers} says the page is attached;
     * then it writes {@code go} and times from there to the last line. In the other variant the page still shows
     * the previous execution, which has ended.
     */
    static void linesFollow(URI url, String gen, String browser, long serverPid, int lines, int warmup, int runs,
                            Results r, String key) throws Exception {
        URI http = URI.create("http://" + url.getHost() + ":" + url.getPort());
        String params = "{\"argv\":[\"sh\",\"-c\",\"read go && exec " + gen + " " + lines + "\"],\"stdin\":true}";
        List<Double> alone = new ArrayList<>();
        List<Double> followed = new ArrayList<>();
        List<Double> browserCpu = new ArrayList<>();
        List<Double> serverCpuAlone = new ArrayList<>();
        List<Double> serverCpuFollowed = new ArrayList<>();
        long id = 0;
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
             HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
             Chromium chromium = Chromium.open(browser, http.resolve("/"))) {
            Thread.sleep(SETTLE_MILLIS);
            for (int i = 0; i < 2 * (warmup + runs); i++) {
                boolean dashboard = i % 2 == 1;
                awaitIdle(chromium); // what the page did for the run before is over
                ws.sendText(CcxClient.executeRequest(++id, params));
                String executionId = awaitStarted(ws);
                if (dashboard) {
                    chromium.evaluate("location.hash = '#" + executionId + "'");
                }
                awaitFollowers(client, http.resolve("/metrics"), dashboard ? 2 : 1);
                double cpu0 = chromium.cpuSeconds();
                long server0 = ProcStat.cpuTicks(serverPid);
                ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"stdin\",\"params\":{"
                        + "\"execution_id\":\"" + executionId + "\",\"data\":\"go\\n\",\"eof\":true}}");
                long t0 = System.nanoTime();
                LineVerifier v = new LineVerifier();
                CcxClient.Outcome o = CcxClient.follow(ws, executionId, v::ccxData);
                if (v.count() != lines) {
                    throw new BenchFailure("received " + v.count() + " of " + lines + " lines");
                }
                CcxClient.requireCompleted(o, lines);
                double seconds = (o.lastOutputNanos() - t0) / 1e9;
                double lps = lines / seconds;
                double cpu = (chromium.cpuSeconds() - cpu0) / seconds;
                double serverCpu = (ProcStat.cpuTicks(serverPid) - server0) / ProcStat.HZ / seconds;
                boolean measured = i >= 2 * warmup;
                System.err.printf("%s run %d %s%s: %.0f lines/s, ccx %.0f%% and Chromium %.0f%% of a core%n", key,
                        i / 2 + 1, dashboard ? "with the dashboard" : "alone", measured ? "" : " (warmup)", lps,
                        100 * serverCpu, 100 * cpu);
                if (measured) {
                    (dashboard ? followed : alone).add(lps);
                    (dashboard ? serverCpuFollowed : serverCpuAlone).add(serverCpu);
                    if (dashboard) {
                        browserCpu.add(cpu);
                    }
                }
            }
            ws.closeGracefully(5000);
        }
        double a = Stats.median(alone.stream().mapToDouble(Double::doubleValue).toArray());
        double f = Stats.median(followed.stream().mapToDouble(Double::doubleValue).toArray());
        double c = Stats.median(browserCpu.stream().mapToDouble(Double::doubleValue).toArray());
        System.err.printf("%s: median %.0f lines/s alone, %.0f with the dashboard following: %.1f%% slower%n", key,
                a, f, 100 * (1 - f / a));
        r.put(key + ".lines", lines);
        r.put(key + ".runs", runs);
        r.put(key + ".alone_lines_per_s", a);
        r.put(key + ".dashboard_lines_per_s", f);
        r.put(key + ".alone_all", rounded(alone));
        r.put(key + ".dashboard_all", rounded(followed));
        r.put(key + ".slower_pct", 100 * (1 - f / a));
        r.put(key + ".browser_cpu_pct", 100 * c);
        r.put(key + ".server_cpu_alone_pct", 100 * Stats.median(serverCpuAlone.stream().mapToDouble(Double::doubleValue)
                .toArray()));
        r.put(key + ".server_cpu_dashboard_pct", 100 * Stats.median(serverCpuFollowed.stream()
                .mapToDouble(Double::doubleValue).toArray()));
    }

    /** Waits until Chromium uses under a tenth of a core for half a second (30 s at most). */
    private static void awaitIdle(Chromium chromium) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            double before = chromium.cpuSeconds();
            Thread.sleep(IDLE_WINDOW_MILLIS);
            if ((chromium.cpuSeconds() - before) / (IDLE_WINDOW_MILLIS / 1e3) < 0.1) {
                return;
            }
        }
        System.err.println("Chromium was still busy after 30 s; measuring anyway");
    }

    private static String rounded(List<Double> values) {
        return values.stream().map(v -> String.format(java.util.Locale.ROOT, "%,.0f", v))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Reads the execute result and the {@code process.started} after it; returns the execution id. */
    private static String awaitStarted(RawWs ws) throws IOException {
        String id = null;
        while (true) {
            int op = ws.next();
            if (op == RawWs.CLOSE || op == RawWs.EOF) {
                throw new BenchFailure("connection closed before process.started");
            }
            switch (Json.classify(ws.data, ws.off, ws.len)) {
                case RESPONSE -> id = Json.stringField(ws.data, ws.off, ws.len, CcxClient.K_EXECUTION_ID);
                case STARTED -> {
                    return id;
                }
                case ERROR -> throw new BenchFailure("execute failed: " + ws.text());
                default -> { }
            }
        }
    }

    private static void awaitFollowers(HttpClient client, URI metrics, int followers) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (gauge(get(client, metrics).body(), "ccx_followers") != followers) {
            if (System.nanoTime() - deadline > 0) {
                throw new BenchFailure("ccx_followers did not reach " + followers + " within 60 s");
            }
            Thread.sleep(20);
        }
    }
}
