// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import dev.ccx.server.testing.Wait;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The real Claude Code CLI for tests: installs the pinned version (src/test/resources/claude-code) with its
 * install.sh into a cache directory, builds the environment that points it at a {@link StubAnthropicApi}, and runs
 * it bounded in time. Installation failure is an {@link IllegalStateException}, never a skip.
 */
public final class ClaudeCodeCli {
    /** The version pinned in src/test/resources/claude-code/package.json. */
    public static final String VERSION = "2.1.330";

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    private static Path executable;

    private ClaudeCodeCli() {}

    /**
     * The {@code claude} executable, installed on first use in this JVM with install.sh into
     * {@code $CCX_CLAUDE_DIR} (default {@code ~/.cache/ccx/claude-code}); later calls (and later runs with the same
     * lock file) reuse it.
     *
     * @throws IllegalStateException with install.sh's messages when it cannot be installed
     */
    public static synchronized Path executable() {
        if (executable != null) {
            return executable;
        }
        Path scripts;
        try {
            scripts = Files.createTempDirectory("ccx-claude-install");
            for (String name : List.of("install.sh", "package.json", "package-lock.json")) {
                try (InputStream in = ClaudeCodeCli.class.getResourceAsStream("/claude-code/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("test resource claude-code/" + name + " is missing");
                    }
                    Files.copy(in, scripts.resolve(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage claude-code/install.sh", e);
        }
        Path log = scripts.resolve("install.log");
        try {
            Process process = new ProcessBuilder("bash", scripts.resolve("install.sh").toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(log.toFile())
                    .start();
            String out;
            try (InputStream stdout = process.getInputStream()) {
                out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!process.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(process);
                throw new IllegalStateException("Claude Code CLI " + VERSION + " could not be installed: install.sh"
                        + " took longer than " + INSTALL_TIMEOUT + "\n" + Files.readString(log));
            }
            if (process.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("Claude Code CLI " + VERSION + " could not be installed (install.sh"
                        + " exit " + process.exitValue() + "); these tests need node, npm and the npm registry:\n"
                        + Files.readString(log));
            }
            Path path = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("install.sh printed " + path + ", which is not executable");
            }
            executable = path;
            return path;
        } catch (IOException e) {
            throw new IllegalStateException("Claude Code CLI " + VERSION + " could not be installed: cannot run bash "
                    + "install.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the Claude Code CLI", e);
        }
    }

    /**
     * The whole environment for a CLI run against {@code baseUrl}: nothing is inherited but PATH and LANG, so no
     * ANTHROPIC_* / CLAUDE_* variable of the developer's (or of an enclosing Claude Code session) leaks in.
     * {@code home} gets HOME and CLAUDE_CONFIG_DIR ({@code home/.claude}), where the CLI writes its first-run config,
     * session transcripts and backups.
     */
    public static Map<String, String> environment(URI baseUrl, Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("LANG", System.getenv().getOrDefault("LANG", "C.UTF-8"));
        env.put("HOME", home.toString());
        env.put("TMPDIR", System.getProperty("java.io.tmpdir"));
        env.put("CLAUDE_CONFIG_DIR", home.resolve(".claude").toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl.toString());
        env.put("ANTHROPIC_API_KEY", "test");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        env.put("DISABLE_BUG_COMMAND", "1");
        env.put("CLAUDE_CODE_DISABLE_TERMINAL_TITLE", "1");
        return env;
    }

    /** The outcome of one run: exit code (null when it was killed on timeout), stdout lines, stderr. */
    public record Run(Integer exitCode, boolean timedOut, List<String> stdout, String stderr, Duration took) {

        /** stdout lines that parse as JSON objects (stream-json events), in order. */
        public List<JsonNode> events() {
            List<JsonNode> events = new ArrayList<>();
            for (String line : stdout) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode node = Sse.parse(line);
                    if (node.isObject()) {
                        events.add(node);
                    }
                } catch (JacksonException e) {
                    // not an event
                }
            }
            return events;
        }

        /** Events with this {@code type} (and {@code subtype}, when not null). */
        public List<JsonNode> events(String type, String subtype) {
            return events().stream()
                    .filter(e -> type.equals(e.path("type").asString()))
                    .filter(e -> subtype == null || subtype.equals(e.path("subtype").asString()))
                    .toList();
        }

        /** The final {@code result} event, if the CLI printed one. */
        public Optional<JsonNode> result() {
            List<JsonNode> results = events("result", null);
            return results.isEmpty() ? Optional.empty() : Optional.of(results.getLast());
        }

        /** Everything, for assertion messages. */
        public String describe() {
            return "exit " + exitCode + (timedOut ? " (timed out)" : "") + " after " + took.toMillis() + " ms\n"
                    + "--- stdout ---\n" + String.join("\n", stdout) + "\n--- stderr ---\n" + stderr;
        }
    }

    /**
     * Runs {@code claude args...} in {@code cwd} with exactly {@code env}, stdin from /dev/null; waits at most
     * {@code timeout}, then kills the whole process tree. The tree is also killed when this thread is interrupted.
     */
    public static Run run(Path cwd, Map<String, String> env, List<String> args, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = null;
        try {
            Path stderrFile = Files.createTempFile("ccx-claude-stderr", ".txt");
            builder.redirectError(stderrFile.toFile());
            process = builder.start();
            List<String> stdout = new ArrayList<>();
            Process running = process;
            Thread reader = Thread.ofVirtual().start(() -> {
                try (var lines = running.inputReader(StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        synchronized (stdout) {
                            stdout.add(line);
                        }
                    }
                } catch (IOException e) {
                    // stream closed when the process is killed
                }
            });
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                destroyTree(process);
            }
            reader.join(Duration.ofSeconds(5));
            String stderr = Files.readString(stderrFile);
            Files.deleteIfExists(stderrFile);
            synchronized (stdout) {
                return new Run(finished ? process.exitValue() : null, !finished, List.copyOf(stdout), stderr,
                        Duration.ofNanos(System.nanoTime() - started));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the Claude Code CLI", e);
        } finally {
            if (process != null) {
                destroyTree(process);
            }
        }
    }

    /**
     * The {@code claude} processes still running under this JVM after waiting up to {@code millis} for them to end;
     * those found are killed, so that a failing test leaves none behind either. Empty when all is well.
     */
    public static List<ProcessHandle> leftBehind(long millis) {
        List<ProcessHandle> left = Wait.untilValue(millis, ClaudeCodeCli::running, List::isEmpty);
        left.forEach(ProcessHandle::destroyForcibly);
        return left;
    }

    private static List<ProcessHandle> running() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false)).toList();
    }

    /** Kills the process and all its descendants (forcibly), and waits briefly for the process to go. */
    public static void destroyTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
