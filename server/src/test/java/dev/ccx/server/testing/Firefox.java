// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.protocol.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Debian's headless Firefox (ESR), driven over WebDriver BiDi, which Firefox serves itself: no geckodriver (Debian
 * does not package it, and nothing may be downloaded at run time). One page; navigate, and evaluate scripts in it.
 */
public final class Firefox implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/firefox-esr");
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    private static final long WAIT_SECONDS = 30;

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Long, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private String context;

    private Firefox(Process process, Path profile, URI bidi) {
        this.process = process;
        this.profile = profile;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(bidi.resolve("/session"),
                new Listener()).orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    /** Starts Firefox with a fresh profile and opens a BiDi session on its first tab. */
    public static Firefox start() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install firefox-esr (.ci/run does)");
        }
        Path profile = Files.createTempDirectory("ccx-firefox");
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-remote", "--profile",
                profile.toString(), "--remote-debugging-port", "0", "about:blank").redirectErrorStream(true).start();
        Firefox firefox = null;
        try {
            URI bidi = CompletableFuture.supplyAsync(() -> listening(p)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            firefox = new Firefox(p, profile, bidi);
            firefox.call("session.new", Map.of("capabilities", Map.of()));
            JsonNode tree = firefox.call("browsingContext.getTree", Map.of());
            firefox.context = tree.get("contexts").get(0).get("context").stringValue();
            return firefox;
        } catch (Exception e) {
            if (firefox != null) {
                firefox.close();
            } else {
                stop(p, profile);
            }
            throw new IllegalStateException("Firefox did not start: " + e, e);
        }
    }

    /** Reads Firefox's output until it says where BiDi listens; keeps draining it afterwards. */
    private static URI listening(Process p) {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line; (line = r.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    Thread.ofVirtual().start(() -> r.lines().forEach(l -> { }));
                    return URI.create(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("Firefox exited before serving BiDi");
    }

    /** Loads {@code url} and waits until it has loaded. */
    public void navigate(String url) {
        call("browsingContext.navigate", Map.of("context", context, "url", url, "wait", "complete"));
    }

    /** Evaluates {@code expression} in the page; returns its value (a string, number or boolean) as text. */
    public String evaluate(String expression) {
        JsonNode r = call("script.evaluate", Map.of("expression", expression, "target", Map.of("context", context),
                "awaitPromise", false));
        if (!"success".equals(r.path("type").asString(""))) {
            throw new AssertionError("script failed in Firefox: " + r);
        }
        JsonNode value = r.path("result").path("value");
        return value.isMissingNode() || value.isNull() ? null : value.asString();
    }

    /** Evaluates {@code expression} until {@code done} accepts its value, at most {@code timeout}. */
    public String until(Duration timeout, String expression, Predicate<String> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String v = evaluate(expression);
            if (done.test(v)) {
                return v;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Firefox: not within " + timeout.toMillis() + " ms: " + expression
                        + " (last: " + v + ")");
            }
            try {
                Thread.sleep(50); // polling a page: there is no event to wait on from here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private JsonNode call(String method, Object params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        ObjectNode msg = Wire.mapper().createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", Wire.mapper().valueToTree(params));
        socket.sendText(msg.toString(), true).orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
        JsonNode r = answer.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
        if (r.has("error")) {
            throw new AssertionError("BiDi " + method + " failed: " + r);
        }
        return r.get("result");
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(x -> null)
                    .join();
        } finally {
            stop(process, profile);
        }
    }

    private static void stop(Process p, Path profile) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp profile left behind is harmless
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                JsonNode msg = Wire.mapper().readTree(text.toString());
                text.setLength(0);
                JsonNode id = msg.get("id");
                if (id != null && id.isNumber()) {
                    CompletableFuture<JsonNode> f = calls.remove(id.longValue());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }
}
