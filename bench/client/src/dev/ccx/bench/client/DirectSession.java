// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import dev.ccx.protocol.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Claude Code in stream-json input mode driven the plainest way, the peer of a
 * {@link dev.ccx.client.claude.ClaudeSession} through ccx: {@link ProcessBuilder}, the CLI's own pipes, the
 * {@code initialize} handshake, one user message per turn. Its stdout is read line by line on a platform thread,
 * which also answers every {@code can_use_tool} request at once, in place: parse, allow with the model's input,
 * write, flush. One turn at a time.
 */
final class DirectSession implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final Thread reader;
    private final AtomicInteger permissions = new AtomicInteger();
    private final StringBuilder stderrTail = new StringBuilder();
    private volatile CompletableFuture<JsonNode> waiting;
    /** The CLI's session id once it has said it; user messages carry it, as ClaudeSession's do. */
    private volatile String sessionId;

    private DirectSession(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().name("direct-claude-stdout").start(this::read);
        Thread.ofPlatform().daemon().name("direct-claude-stderr").start(this::drainStderr);
    }

    /** Starts {@code argv} in {@code cwd} with exactly {@code env} and performs the {@code initialize} handshake. */
    static DirectSession start(List<String> argv, Path cwd, Map<String, String> env, Duration bound) {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        DirectSession s;
        try {
            s = new DirectSession(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
        ObjectNode init = Wire.mapper().createObjectNode().put("type", "control_request").put("request_id", "req_1");
        init.putObject("request").put("subtype", "initialize").putNull("hooks");
        try {
            JsonNode answer = s.exchange(init, bound, "initialize");
            BenchFailure.check("success".equals(answer.path("response").path("subtype").asString()),
                    "initialize refused: " + answer);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Sends {@code prompt} as a user message and returns its {@code result} line. */
    JsonNode turn(String prompt, Duration bound) {
        ObjectNode line = Wire.mapper().createObjectNode().put("type", "user");
        line.putObject("message").put("role", "user").put("content", prompt);
        line.putNull("parent_tool_use_id");
        line.put("session_id", sessionId != null ? sessionId : "default");
        return exchange(line, bound, "turn");
    }

    /** {@code can_use_tool} requests answered so far. */
    int permissionsAnswered() {
        return permissions.get();
    }

    private JsonNode exchange(ObjectNode line, Duration bound, String what) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        waiting = answer;
        write(line);
        try {
            return answer.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new BenchFailure("direct Claude Code: no answer to the " + what + " within " + bound + stderr());
        } catch (ExecutionException e) {
            throw new BenchFailure("direct Claude Code: " + e.getCause() + stderr());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonNode node = Wire.mapper().readTree(line);
                if (sessionId == null && node.path("session_id").isString()) {
                    sessionId = node.path("session_id").asString();
                }
                switch (node.path("type").asString("")) {
                    case "control_request" -> {
                        if ("can_use_tool".equals(node.path("request").path("subtype").asString(""))) {
                            allow(node);
                        }
                    }
                    case "control_response", "result" -> {
                        CompletableFuture<JsonNode> w = waiting;
                        if (w != null) {
                            w.complete(node);
                        }
                    }
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            CompletableFuture<JsonNode> w = waiting;
            if (w != null) {
                w.completeExceptionally(e);
            }
            return;
        }
        CompletableFuture<JsonNode> w = waiting;
        if (w != null) {
            w.completeExceptionally(new IllegalStateException("the CLI closed its stdout"));
        }
    }

    /** Answers a {@code can_use_tool} request: allowed, with the model's own input. */
    private void allow(JsonNode request) {
        ObjectNode body = Wire.mapper().createObjectNode().put("behavior", "allow");
        body.set("updatedInput", request.path("request").path("input"));
        ObjectNode inner = Wire.mapper().createObjectNode().put("subtype", "success")
                .put("request_id", request.path("request_id").asString());
        inner.set("response", body);
        ObjectNode line = Wire.mapper().createObjectNode().put("type", "control_response");
        line.set("response", inner);
        write(line);
        permissions.incrementAndGet();
    }

    private void write(JsonNode line) {
        byte[] bytes = (Wire.mapper().writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (stdin) {
            try {
                stdin.write(bytes);
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to the CLI's stdin" + stderr(), e);
            }
        }
    }

    private void drainStderr() {
        try (BufferedReader lines = process.errorReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (stderrTail) {
                    stderrTail.append(line).append('\n');
                    if (stderrTail.length() > 4000) {
                        stderrTail.delete(0, stderrTail.length() - 4000);
                    }
                }
            }
        } catch (IOException e) {
            // the CLI was killed
        }
    }

    private String stderr() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : "; stderr: " + stderrTail;
        }
    }

    /** Closes the CLI's stdin (it exits when idle), waits up to 10 s for it to exit, then kills it. */
    @Override
    public void close() {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The exit code, once {@link #close()} has returned; -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }
}
