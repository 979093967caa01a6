// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude.stub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every test of the real Claude Code CLI needs: a {@link StubAnthropicApi} on loopback, a working directory for
 * the CLI and a home of its own (so no user configuration leaks in), under a test's temporary directory.
 *
 * @param stub the stub API, started
 * @param cwd  where the CLI runs ({@code tmp/work})
 * @param home its {@code HOME} ({@code tmp/home})
 */
public record ClaudeSandbox(StubAnthropicApi stub, Path cwd, Path home) implements AutoCloseable {

    /** Starts a stub and creates the directories under {@code tmp}. */
    public static ClaudeSandbox open(Path tmp) {
        StubAnthropicApi stub = StubAnthropicApi.start();
        try {
            return new ClaudeSandbox(stub, Files.createDirectories(tmp.resolve("work")),
                    Files.createDirectories(tmp.resolve("home")));
        } catch (IOException e) {
            stub.close();
            throw new UncheckedIOException(e);
        }
    }

    /** The CLI's environment for this stub and home, as a map the caller may add to. */
    public Map<String, String> environment() {
        return new LinkedHashMap<>(ClaudeCodeCli.environment(stub.baseUrl(), home));
    }

    /** Closes the stub, which ends any reply still stalled. */
    @Override
    public void close() {
        stub.close();
    }
}
