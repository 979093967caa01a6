// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.RawHttp;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The allow-list cannot be bypassed, browsers' origins are checked, and a configured token is required. */
@ExtendWith(Groups.class)
class SecurityIT {
    private static final long WAIT_MS = 10_000;

    // ---- allow-list --------------------------------------------------------------------------------------------

    @Test
    void allowedCommandStringRunsWithoutAShell() {
        try (TestServer server = TestServer.start(b -> b.allowedCommands(Set.of("echo")));
             TestClient c = connected(server.uri(), Map.of())) {
            TestClient.Run hi = c.run(ExecuteParams.shell("echo hi"));
            assertThat(hi.stdout.toString()).isEqualTo("hi\n");
            assertThat(hi.exitCode()).isZero();

            // A shell would run its builtin echo, which prints "--version" literally; only the echo program
            // itself (GNU coreutils) answers with its version. So this proves no shell is involved.
            TestClient.Run version = c.run(ExecuteParams.shell("echo --version"));
            assertThat(version.stdout.toString()).contains("coreutils").doesNotStartWith("--version");

            // Extra whitespace only separates words, as it would for argv.
            assertThat(c.run(ExecuteParams.shell("  echo   a \t b  ")).stdout.toString()).isEqualTo("a b\n");
        }
    }

    @Test
    void allowedArgvRuns() {
        try (TestServer server = TestServer.start(b -> b.allowedCommands(Set.of("echo")));
             TestClient c = connected(server.uri(), Map.of())) {
            TestClient.Run run = c.run(ExecuteParams.argv(List.of("echo", "x")));
            assertThat(run.stdout.toString()).isEqualTo("x\n");
            assertThat(run.exitCode()).isZero();
        }
    }

    @Test
    void bypassAttemptsAreRefusedAndNothingRuns(@TempDir Path dir) throws IOException {
        Path marker = dir.resolve("pwned");
        String f = marker.toString();
        // A fake "echo" that would create the marker if it were ever run.
        Path fakeEcho = dir.resolve("echo");
        Files.writeString(fakeEcho, "#!/bin/sh\ntouch '" + f + "'\n");
        Files.setPosixFilePermissions(fakeEcho, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path preload = dir.resolve("evil.so");
        Files.writeString(preload, "not really a library");
        Path bashEnv = dir.resolve("evil.sh");
        Files.writeString(bashEnv, "touch '" + f + "'\n");
        String cwd = dir.toString();

        Map<ExecuteParams, String> attempts = new LinkedHashMap<>();
        attempts.put(ExecuteParams.shell("echo a; touch " + f), "';'");
        attempts.put(ExecuteParams.shell("echo a && touch " + f), "'&'");
        attempts.put(ExecuteParams.shell("echo a || touch " + f), "'|'");
        attempts.put(ExecuteParams.shell("echo a | touch " + f), "'|'");
        attempts.put(ExecuteParams.shell("echo $(touch " + f + ")"), "'$'");
        attempts.put(ExecuteParams.shell("echo ${PWD}"), "'$'");
        attempts.put(ExecuteParams.shell("echo `touch " + f + "`"), "'`'");
        attempts.put(ExecuteParams.shell("echo a\ntouch " + f), "Shell syntax");
        attempts.put(ExecuteParams.shell("echo a\rtouch " + f), "Shell syntax");
        attempts.put(ExecuteParams.shell("echo a > " + f), "'>'");
        attempts.put(ExecuteParams.shell("echo a >> " + f), "'>'");
        attempts.put(ExecuteParams.shell("echo a & touch " + f), "'&'");
        attempts.put(ExecuteParams.shell("touch " + f), "'touch' is not allowed");
        attempts.put(ExecuteParams.shell("/usr/bin/touch " + f), "'/usr/bin/touch' is not allowed");
        attempts.put(new ExecuteParams("./echo", null, null, null, cwd, null), "'./echo' is not allowed");
        attempts.put(ExecuteParams.argv(List.of("touch", f)), "'touch' is not allowed");
        attempts.put(ExecuteParams.argv(List.of("/usr/bin/touch", f)), "'/usr/bin/touch' is not allowed");
        attempts.put(ExecuteParams.argv(List.of("sh", "-c", "touch " + f)), "'sh' is not allowed");
        attempts.put(new ExecuteParams(null, List.of("./echo"), null, null, cwd, null), "'./echo' is not allowed");
        attempts.put(ExecuteParams.argv(List.of(fakeEcho.toString())), "'" + fakeEcho + "' is not allowed");
        attempts.put(ExecuteParams.argv(List.of("echo ", "x")), "'echo ' is not allowed");
        attempts.put(new ExecuteParams(null, List.of("echo", "x"), null, null, null, Map.of("PATH", cwd)),
                "params.env.PATH");
        attempts.put(new ExecuteParams("echo x", null, null, null, null, Map.of("PATH", cwd + ":/usr/bin")),
                "params.env.PATH");
        attempts.put(new ExecuteParams(null, List.of("echo", "x"), null, null, null,
                Map.of("LD_PRELOAD", preload.toString())), "params.env.LD_PRELOAD");
        attempts.put(new ExecuteParams(null, List.of("echo", "x"), null, null, null,
                Map.of("LD_LIBRARY_PATH", cwd)), "params.env.LD_LIBRARY_PATH");
        attempts.put(new ExecuteParams(null, List.of("echo", "x"), null, null, null,
                Map.of("BASH_ENV", bashEnv.toString())), "params.env.BASH_ENV");
        attempts.put(new ExecuteParams(null, List.of("echo", "x"), null, null, null,
                Map.of("ENV", bashEnv.toString())), "params.env.ENV");
        attempts.put(new ExecuteParams(null, List.of("echo", "x"), null, null, null,
                Map.of("BASH_FUNC_echo%%", "() { touch " + f + "; }")), "params.env.BASH_FUNC_echo%%");

        try (TestServer server = TestServer.start(b -> b.allowedCommands(Set.of("echo")));
             TestClient c = connected(server.uri(), Map.of())) {
            for (Map.Entry<ExecuteParams, String> attempt : attempts.entrySet()) {
                JsonNode r = c.call("execute", attempt.getKey());
                JsonNode result = r.get("result");
                if (result != null && result.has("pgid")) {
                    Groups.saw(result.get("pgid").longValue());
                }
                assertThat(r.has("error")).as("%s was not refused: %s", attempt.getKey(), r).isTrue();
                assertThat(r.get("error").get("code").intValue()).as("%s -> %s", attempt.getKey(), r)
                        .isEqualTo(-32001);
                assertThat(r.get("error").get("message").stringValue()).as("%s", attempt.getKey())
                        .contains(attempt.getValue());
                assertThat(marker).as("marker after %s", attempt.getKey()).doesNotExist();
            }
            assertThat(c.pending()).as("no execution was announced")
                    .noneMatch(m -> m.has("method") && m.get("method").stringValue().startsWith("process."));

            // A fake echo in the working directory does not shadow the real one either.
            TestClient.Run run = c.run(new ExecuteParams(null, List.of("echo", "x"), null, null, cwd, null));
            assertThat(run.stdout.toString()).isEqualTo("x\n");
            run = c.run(new ExecuteParams("echo y", null, null, null, cwd, null));
            assertThat(run.stdout.toString()).isEqualTo("y\n");
            // Harmless variables are still accepted.
            run = c.run(new ExecuteParams(null, List.of("echo", "z"), null, null, null, Map.of("GREETING", "hi")));
            assertThat(run.stdout.toString()).isEqualTo("z\n");
        }
        // Every refused request came before the last run completed on the same connection.
        assertThat(marker).doesNotExist();
    }

    @Test
    void withoutAnAllowListShellSyntaxWorks(@TempDir Path dir) {
        Path marker = dir.resolve("made");
        try (TestServer server = TestServer.start();
             TestClient c = connected(server.uri(), Map.of())) {
            TestClient.Run run = c.run(ExecuteParams.shell("echo a; touch '" + marker + "' && echo b"));
            assertThat(run.stdout.toString()).isEqualTo("a\nb\n");
        }
        // The same marker mechanism does detect a command that ran.
        assertThat(marker).exists();
    }

    // ---- origin ------------------------------------------------------------------------------------------------

    @Test
    void browserOriginIsRefusedWith403ByDefault() throws IOException {
        try (TestServer server = TestServer.start()) {
            assertThat(refusedStatus(server.uri(), Map.of("Origin", "http://evil.example"))).isEqualTo(403);
            assertThat(rawUpgradeStatusLine(server.uri(), Map.of("Origin", "http://evil.example")))
                    .contains(" 403");
            // Clients that send no Origin (not browsers) are accepted.
            try (TestClient c = connected(server.uri(), Map.of())) {
                assertEchoWorks(c);
            }
            assertThat(rawUpgradeStatusLine(server.uri(), Map.of())).contains(" 101");
        }
    }

    @Test
    void allowedOriginIsAcceptedAndOthersStillRefused() throws IOException {
        try (TestServer server = TestServer.start(b -> b.allowedOrigins(Set.of("http://ok.example")))) {
            try (TestClient c = connected(server.uri(), Map.of("Origin", "http://ok.example"))) {
                assertEchoWorks(c);
            }
            assertThat(refusedStatus(server.uri(), Map.of("Origin", "http://evil.example"))).isEqualTo(403);
            assertThat(refusedStatus(server.uri(), Map.of("Origin", "http://ok.example.evil.example")))
                    .isEqualTo(403);
            assertThat(refusedStatus(server.uri(), Map.of("Origin", "https://ok.example"))).isEqualTo(403);
            assertThat(rawUpgradeStatusLine(server.uri(), Map.of("Origin", "http://evil.example")))
                    .contains(" 403");
        }
    }

    @Test
    void theServersOwnOriginIsAcceptedWhenItsHostCannotBeRebound() throws IOException {
        try (TestServer server = TestServer.start()) {
            URI uri = server.uri();
            int port = uri.getPort();
            // The dashboard, served by the server itself, opens the WebSocket with its own origin.
            try (TestClient c = connected(uri, Map.of("Origin", "http://127.0.0.1:" + port))) {
                assertEchoWorks(c);
            }
            assertThat(rawUpgradeStatusLine(uri, "localhost:" + port, Map.of("Origin", "http://localhost:" + port)))
                    .contains(" 101");
            // Another port is another origin.
            assertThat(refusedStatus(uri, Map.of("Origin", "http://127.0.0.1:" + (port + 1)))).isEqualTo(403);
            assertThat(refusedStatus(uri, Map.of("Origin", "https://127.0.0.1:" + port))).isEqualTo(403);
            // DNS rebinding: a hostile name resolved to 127.0.0.1 sends its own name as Host and as Origin.
            assertThat(rawUpgradeStatusLine(uri, "evil.example:" + port,
                    Map.of("Origin", "http://evil.example:" + port))).contains(" 403");
        }
        try (TestServer server = TestServer.start(b -> b.token("s3cret"))) {
            URI uri = server.uri();
            int port = uri.getPort();
            // With a token, a name's own origin passes the Origin check; the token still has to be there.
            Map<String, String> origin = Map.of("Origin", "http://ccx.internal:" + port);
            assertThat(rawUpgradeStatusLine(uri, "ccx.internal:" + port, origin)).contains(" 401");
            assertThat(rawUpgradeStatusLine(uri, "ccx.internal:" + port, Map.of("Origin", "http://ccx.internal:"
                    + port, "Authorization", "Bearer s3cret"))).contains(" 101");
        }
    }

    // ---- token -------------------------------------------------------------------------------------------------

    @Test
    void tokenIsRequiredWhenConfigured() throws IOException {
        try (TestServer server = TestServer.start(b -> b.token("s3cret"))) {
            URI uri = server.uri();
            assertThat(refusedStatus(uri, Map.of())).isEqualTo(401);
            assertThat(refusedStatus(uri, Map.of("Authorization", "Bearer wrong"))).isEqualTo(401);
            assertThat(refusedStatus(uri, Map.of("Authorization", "Bearer s3cre"))).isEqualTo(401);
            assertThat(refusedStatus(uri, Map.of("Authorization", "Bearer s3cret2"))).isEqualTo(401);
            assertThat(refusedStatus(uri, Map.of("Authorization", "Basic czNjcmV0"))).isEqualTo(401);
            assertThat(refusedStatus(withQuery(uri, "token=wrong"), Map.of())).isEqualTo(401);
            assertThat(refusedStatus(withQuery(uri, "token="), Map.of())).isEqualTo(401);
            assertThat(rawUpgradeStatusLine(uri, Map.of())).contains(" 401");

            try (TestClient c = connected(uri, Map.of("Authorization", "Bearer s3cret"))) {
                assertEchoWorks(c);
            }
            try (TestClient c = connected(withQuery(uri, "token=s3cret"), Map.of())) {
                assertEchoWorks(c);
            }
            // The token does not override the origin check.
            assertThat(refusedStatus(uri, Map.of("Authorization", "Bearer s3cret", "Origin", "http://evil.example")))
                    .isEqualTo(403);
        }
    }

    @Test
    void tokenIsNotPassedToCommands() {
        try (TestServer server = TestServer.start(b -> b.token("s3cret"));
             TestClient c = connected(server.uri(), Map.of("Authorization", "Bearer s3cret"))) {
            TestClient.Run run = c.run(ExecuteParams.argv(List.of("env")));
            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout.toString()).doesNotContain("s3cret");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static TestClient connected(URI uri, Map<String, String> headers) {
        TestClient c = TestClient.connect(uri, headers);
        JsonNode first = c.take(m -> true, WAIT_MS);
        if (!first.has("method") || !"connected".equals(first.get("method").stringValue())) {
            c.close();
            fail("expected connected, got " + first);
        }
        return c;
    }

    private static void assertEchoWorks(TestClient c) {
        assertThat(c.run(ExecuteParams.argv(List.of("echo", "works")), WAIT_MS).stdout.toString())
                .isEqualTo("works\n");
    }

    /** Connects with the JDK client, expecting the upgrade to be refused; returns the HTTP status. */
    private static int refusedStatus(URI uri, Map<String, String> headers) {
        try (TestClient c = TestClient.connect(uri, headers)) {
            fail("connected to " + uri + " with " + headers + " although it should have been refused; first: "
                    + c.take(m -> true, WAIT_MS));
            return -1;
        } catch (CompletionException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof WebSocketHandshakeException h) {
                    return h.getResponse().statusCode();
                }
            }
            throw new AssertionError("not a handshake refusal", e);
        }
    }

    /** Sends a WebSocket upgrade request over a plain socket and returns the response's status line. */
    private static String rawUpgradeStatusLine(URI uri, Map<String, String> headers) throws IOException {
        return rawUpgradeStatusLine(uri, uri.getHost() + ":" + uri.getPort(), headers);
    }

    /** The same, with {@code host} as the Host header. */
    private static String rawUpgradeStatusLine(URI uri, String host, Map<String, String> headers) throws IOException {
        return RawHttp.statusLine(uri.getPort(), uri.getRawPath(), host, RawHttp.upgrade(headers));
    }

    private static URI withQuery(URI uri, String query) {
        return URI.create(uri + "?" + query);
    }
}
