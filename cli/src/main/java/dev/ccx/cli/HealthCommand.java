// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.protocol.Health;
import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;

/**
 * {@code ccx health}: fetches the server's {@code /health} document over plain HTTP, within a bounded time, and
 * prints it as a summary or as it is. Needs no WebSocket session, so it works while the server is at its session
 * limit.
 */
@picocli.CommandLine.Command(name = "health", mixinStandardHelpOptions = true,
        description = "Check a ccx server: fetch its /health document (same host and port as --url) and summarise it.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:healthy",
                        "1:the server answered but is not healthy: its status is not 'healthy', or its timing store "
                                + "is degraded (Redis configured but failing, the embedded store answers)",
                        "125:no health document: server not reachable within --timeout, or the answer is not one"})
final class HealthCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "5",
            description = "Give up after S seconds (default ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = "--json", description = "Print the server's health document as it is (one line of JSON).")
    boolean json;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    HealthCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (!(timeout > 0)) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds, got "
                    + timeout);
        }
        URI uri;
        String body;
        try {
            uri = server.http("/health");
            body = fetch(uri);
        } catch (IOException | IllegalArgumentException e) {
            err.println(server.unreachable("health", e.getMessage()));
            return ExitCodes.CCX_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ccx health: interrupted while waiting for the server");
            return ExitCodes.CCX_FAILED;
        }
        Health health;
        try {
            health = Wire.mapper().readValue(body, Health.class);
        } catch (JacksonException e) {
            err.println("ccx health: " + uri + " answered, but not with a ccx health document: "
                    + e.getOriginalMessage());
            return ExitCodes.CCX_FAILED;
        }
        out.print(json ? body.strip() + "\n" : HealthHistoryText.health(health, uri));
        String problem = problem(health);
        if (problem != null) {
            err.println("ccx health: not healthy: " + problem);
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /** The body of a 200 answer to GET {@code uri}, or an IOException naming the URI and what went wrong. */
    private String fetch(URI uri) throws IOException, InterruptedException {
        Duration limit = Duration.ofMillis((long) (timeout * 1000));
        HttpClient http = HttpClient.newBuilder().connectTimeout(limit).build();
        HttpResponse<String> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(limit).GET();
            if (server.token != null) {
                request.header("Authorization", "Bearer " + server.token);
            }
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("GET " + uri + " failed: " + why(e, uri), e);
        } finally {
            http.shutdownNow();
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** What went wrong; the JDK's HttpClient fails a refused or unresolvable connection without a message. */
    private String why(IOException e, URI uri) {
        if (e instanceof HttpTimeoutException) {
            return e.getMessage() + " after " + timeout + "s (--timeout)";
        }
        if (e.getMessage() != null) {
            return e.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root instanceof UnresolvedAddressException ? "unknown host " + uri.getHost()
                : "could not connect (nothing listening there, or no route to it)";
    }

    /** Why {@code h} does not count as healthy, or {@code null} when it does. */
    static String problem(Health h) {
        if (!"healthy".equals(h.status())) {
            return "status is " + h.status();
        }
        if (h.cluster() != null && !h.cluster().available()) {
            return "the cluster's Redis does not answer this node: new executions fail, or run on it only";
        }
        return h.timingDegraded() ? "timing store is degraded: Redis is configured but failing" : null;
    }
}
