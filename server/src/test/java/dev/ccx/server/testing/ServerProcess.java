// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server in a JVM of its own ({@code ServeCommand} on this test classpath), for what an in-process server
 * cannot show: its reaction to SIGTERM and SIGKILL. Readiness is the {@code ccx listening on URL} line, which
 * also proves that the process answering is ours.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final URI uri;
    private final Path log;

    private ServerProcess(Process process, URI uri, Path log) {
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /**
     * Starts {@code ccx serve --port 0 --state-dir stateDir --kill-grace 0.5 --spawner S extra...} and waits until
     * ready; {@code S} is {@link TestServer#spawner()}.
     */
    public static ServerProcess start(Path stateDir, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : System.getProperty("ccx.test.jvmArgs", "").split(" ")) {
            if (!arg.isBlank()) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add("dev.ccx.server.ServeCommand");
        cmd.addAll(List.of("--port", "0", "--state-dir", stateDir.toString(), "--kill-grace", "0.5",
                "--spawner", TestServer.spawner().name().toLowerCase(java.util.Locale.ROOT)));
        cmd.addAll(List.of(extra));
        Path log = File.createTempFile("ccx-server", ".log").toPath();
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("ccx listening on ")) {
                        return line.substring("ccx listening on ".length()).strip();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String url;
        try {
            url = ready.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            url = null;
        }
        if (url == null) {
            p.destroyForcibly();
            throw new IllegalStateException("server did not become ready; its log:\n" + java.nio.file.Files.readString(log));
        }
        return new ServerProcess(p, URI.create(url), log);
    }

    public URI uri() {
        return uri;
    }

    public Process process() {
        return process;
    }

    /** The server's stderr so far. */
    public String log() {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
