// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A transparent pipe between whoever drives Claude Code and the CLI, which times every {@code can_use_tool} round
 * trip where the CLI sees it: from the moment the CLI's {@code control_request} line leaves its stdout to the moment
 * the matching {@code control_response} line is about to enter its stdin; and every turn likewise, from its user
 * message entering to its {@code result} leaving. Run as {@code java -cp harness dev.ccx.bench.client.StdioRelay
 * CLAUDE ARGS...}; the driver (a {@link dev.ccx.client.claude.ClaudeSession} through ccx, or {@link DirectSession})
 * sees it as the CLI. Lines pass through unchanged, one write and flush each; stderr is the CLI's own. At exit the
 * relay writes, in order, {@code can_use_tool REQUEST_ID OUT_NANOS IN_NANOS} per round trip and
 * {@code turn - IN_NANOS OUT_NANOS} per turn ({@link System#nanoTime()}, which is CLOCK_MONOTONIC on Linux and so
 * comparable with the harness's) to the file named by {@value #LOG_VARIABLE}.
 *
 * <p>Both pumps run on platform threads (a blocking pipe read on a virtual thread holds a carrier; see STYLE.md).
 * Both drivers go through the same relay, so its own two pipe hops are in both sides of the comparison.
 */
public final class StdioRelay {
    /** The environment variable naming the file the round trips are written to. */
    static final String LOG_VARIABLE = "CCX_BENCH_RELAY_LOG";

    private static final Pattern REQUEST_ID = Pattern.compile("\"request_id\":\"([^\"]+)\"");

    private StdioRelay() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path file = Path.of(System.getenv(LOG_VARIABLE));
        Process cli = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Long> asked = new ConcurrentHashMap<>();
        Queue<Long> turnStarted = new ConcurrentLinkedQueue<>();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Thread down = Thread.ofPlatform().name("relay-stdout").start(() -> pump(cli.getInputStream(),
                new FileOutputStream(FileDescriptor.out), line -> {
                    if (line.startsWith("{\"type\":\"control_request\"") && line.contains("\"can_use_tool\"")) {
                        Matcher m = REQUEST_ID.matcher(line);
                        if (m.find()) {
                            asked.put(m.group(1), System.nanoTime());
                        }
                    } else if (isResult(line)) {
                        long now = System.nanoTime();
                        Long in = turnStarted.poll();
                        if (in != null) {
                            log.add("turn - " + in + " " + now);
                        }
                    }
                }));
        // Up: a daemon, so that a CLI that ends on its own ends the relay even while its driver keeps stdin open.
        Thread.ofPlatform().name("relay-stdin").daemon().start(() -> pump(System.in, cli.getOutputStream(), line -> {
            if (line.startsWith("{\"type\":\"control_response\"")) {
                long now = System.nanoTime();
                Matcher m = REQUEST_ID.matcher(line);
                Long out = m.find() ? asked.remove(m.group(1)) : null;
                if (out != null) {
                    log.add("can_use_tool " + m.group(1) + " " + out + " " + now);
                }
            } else if (line.startsWith("{\"type\":\"user\"")) {
                turnStarted.add(System.nanoTime());
            }
        }));
        down.join();
        int exit = cli.waitFor();
        synchronized (log) {
            Files.write(file, log);
        }
        System.exit(exit);
    }

    /**
     * Whether a line of the CLI is its {@code result}. Every other line starts with its {@code type}; the result line
     * of 2.1.330 starts with {@code duration_api_ms}, its type further on.
     */
    private static boolean isResult(String line) {
        return line.startsWith("{\"type\":\"") ? line.startsWith("{\"type\":\"result\"")
                : line.startsWith("{") && line.contains("\"type\":\"result\"");
    }

    /** Copies {@code in} to {@code out} line by line, one write and flush per line, after {@code seen}; closes both. */
    private static void pump(InputStream in, OutputStream out, Consumer<String> seen) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)); out) {
            String line;
            while ((line = lines.readLine()) != null) {
                seen.accept(line);
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the other side is gone: the CLI was killed, or its stdin closed
        }
    }
}
