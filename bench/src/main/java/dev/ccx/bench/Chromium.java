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
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium showing one page, driven over the DevTools protocol (one WebSocket to the page: our own
 * {@link RawWs}), so that the page can be pointed elsewhere without starting a browser again.
 */
final class Chromium implements AutoCloseable {
    private static final Pattern DEBUGGER = Pattern.compile("\"webSocketDebuggerUrl\"\\s*:\\s*\"(ws://[^\"]+)\"");
    private final Process process;
    private final Path profile;
    private final RawWs devtools;
    private long ids;

    private Chromium(Process process, Path profile, RawWs devtools) {
        this.process = process;
        this.profile = profile;
        this.devtools = devtools;
    }

    /** Starts {@code browser} on {@code url} with a fresh profile and waits until its page can be driven. */
    static Chromium open(String browser, URI url) throws Exception {
        Path profile = Files.createTempDirectory("ccx-bench-chromium");
        Process p = new ProcessBuilder(browser, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=1280,800", url.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (System.nanoTime() - deadline > 0 || !p.isAlive()) {
                    throw new BenchFailure("Chromium did not open its DevTools port within 30 s");
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).getFirst().strip());
            String list;
            try (HttpClient http = HttpClient.newHttpClient()) {
                list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            }
            Matcher m = DEBUGGER.matcher(list);
            if (!m.find()) {
                throw new BenchFailure("no page in Chromium's target list: " + list);
            }
            return new Chromium(p, profile, RawWs.connect(URI.create(m.group(1)), 1 << 16, 30_000));
        } catch (Exception e) {
            kill(p);
            delete(profile);
            throw e;
        }
    }

    /** Runs {@code expression} in the page and waits for the answer. */
    void evaluate(String expression) throws IOException {
        long id = ++ids;
        devtools.sendText("{\"id\":" + id + ",\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":"
                + "\"" + expression.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}");
        String want = "\"id\":" + id + ",";
        while (true) {
            int op = devtools.next();
            if (op == RawWs.CLOSE || op == RawWs.EOF) {
                throw new BenchFailure("Chromium closed its DevTools connection");
            }
            if (devtools.text().startsWith("{" + want)) {
                return;
            }
        }
    }

    /** CPU seconds Chromium's processes have used so far. */
    double cpuSeconds() {
        return (ticks(process.pid()) + process.descendants().mapToLong(h -> ticks(h.pid())).sum()) / ProcStat.HZ;
    }

    private static long ticks(long pid) {
        try {
            return ProcStat.cpuTicks(pid);
        } catch (IOException e) {
            return 0; // gone meanwhile
        }
    }

    @Override
    public void close() {
        devtools.close();
        kill(process);
        delete(profile);
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
