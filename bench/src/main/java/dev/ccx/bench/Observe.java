// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * (b) with and without the dashboard following, interleaved: each run starts {@code sh -c 'read go && exec GEN
     * N'} with a stdin pipe, opens the dashboard on it in a fresh headless Chromium (the dashboard variant), waits
     * until {@code ccx_followers} says it is attached, then writes {@code go} and times from there to the last line.
     */
    static void linesFollow(URI url, String gen, String browser, int lines, int warmup, int runs, Results r,
                            String key) throws Exception {
        URI http = URI.create("http://" + url.getHost() + ":" + url.getPort());
        String params = "{\"argv\":[\"sh\",\"-c\",\"read go && exec " + gen + " " + lines + "\"],\"stdin\":true}";
        List<Double> alone = new ArrayList<>();
        List<Double> followed = new ArrayList<>();
        long id = 0;
        try (RawWs ws = CcxClient.open(url, BUFFER, TIMEOUT_MS);
             HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 2 * (warmup + runs); i++) {
                boolean dashboard = i % 2 == 1;
                ws.sendText(CcxClient.executeRequest(++id, params));
                String executionId = awaitStarted(ws);
                Process chromium = null;
                Path profile = null;
                try {
                    if (dashboard) {
                        profile = Files.createTempDirectory("ccx-bench-chromium");
                        chromium = new ProcessBuilder(browser, "--headless=new", "--no-sandbox", "--disable-gpu",
                                "--disable-dev-shm-usage", "--disable-background-networking",
                                "--disable-component-update", "--disable-sync", "--no-first-run",
                                "--user-data-dir=" + profile, "--window-size=1280,800",
                                http.resolve("/#" + executionId).toString())
                                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    }
                    awaitFollowers(client, http.resolve("/metrics"), dashboard ? 2 : 1);
                    ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"stdin\",\"params\":{"
                            + "\"execution_id\":\"" + executionId + "\",\"data\":\"go\\n\",\"eof\":true}}");
                    long t0 = System.nanoTime();
                    LineVerifier v = new LineVerifier();
                    CcxClient.Outcome o = CcxClient.follow(ws, executionId, v::ccxData);
                    if (v.count() != lines) {
                        throw new BenchFailure("received " + v.count() + " of " + lines + " lines");
                    }
                    CcxClient.requireCompleted(o, lines);
                    double lps = lines / ((o.lastOutputNanos() - t0) / 1e9);
                    boolean measured = i >= 2 * warmup;
                    System.err.printf("%s run %d %s%s: %.0f lines/s%n", key, i / 2 + 1,
                            dashboard ? "with the dashboard" : "alone", measured ? "" : " (warmup)", lps);
                    if (measured) {
                        (dashboard ? followed : alone).add(lps);
                    }
                } finally {
                    if (chromium != null) {
                        chromium.descendants().forEach(ProcessHandle::destroyForcibly);
                        chromium.destroyForcibly();
                        chromium.waitFor(10, TimeUnit.SECONDS);
                    }
                    if (profile != null) {
                        try (var files = Files.walk(profile)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                        }
                    }
                }
            }
            ws.closeGracefully(5000);
        }
        double a = Stats.median(alone.stream().mapToDouble(Double::doubleValue).toArray());
        double f = Stats.median(followed.stream().mapToDouble(Double::doubleValue).toArray());
        System.err.printf("%s: median %.0f lines/s alone, %.0f with the dashboard following: %.1f%% slower%n", key,
                a, f, 100 * (1 - f / a));
        r.put(key + ".lines", lines);
        r.put(key + ".runs", runs);
        r.put(key + ".alone_lines_per_s", a);
        r.put(key + ".dashboard_lines_per_s", f);
        r.put(key + ".alone_all", alone.toString());
        r.put(key + ".dashboard_all", followed.toString());
        r.put(key + ".slower_pct", 100 * (1 - f / a));
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
