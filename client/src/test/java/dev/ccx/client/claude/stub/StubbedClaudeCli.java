// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit lifecycle every test of the real Claude Code CLI shares: install the pinned CLI once per class (a
 * failure fails the tests, it never skips them), and give each test a fresh {@link ClaudeSandbox} (stub API, work
 * directory, home) that is closed and deleted after it. Register it on a static field with
 * {@code @RegisterExtension}; its after-each runs after the test's own {@code @AfterEach} methods.
 */
public final class StubbedClaudeCli implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private ClaudeSandbox sandbox;
    private Path dir;

    @Override
    public void beforeAll(ExtensionContext context) {
        ClaudeCodeCli.executable();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("ccx-claude");
        sandbox = ClaudeSandbox.open(dir);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        sandbox.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** This test's stub API. */
    public StubAnthropicApi stub() {
        return sandbox.stub();
    }

    /** This test's working directory for the CLI. */
    public Path cwd() {
        return sandbox.cwd();
    }

    /** The CLI's environment for this test's stub and home, as a map the caller may add to. */
    public Map<String, String> environment() {
        return sandbox.environment();
    }
}
