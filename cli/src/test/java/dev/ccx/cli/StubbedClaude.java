// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.claude.stub.ClaudeCodeCli;
import dev.ccx.client.claude.stub.RecordedRequest;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import dev.ccx.client.claude.stub.StubbedClaudeCli;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Claude Code CLI pointed at a {@link StubAnthropicApi}, for tests of the {@code ccx} commands that run it.
 * A JUnit extension on top of {@link StubbedClaudeCli} (the pinned CLI installed once, a fresh sandbox per test):
 * register it on a static field after the {@link SharedServer} it checks.
 *
 * <p>Every scripted reply, when a {@code claude} process asks for it, reports that process's group to
 * {@link Groups}: the server starts each run with {@code setsid} as a direct child of this JVM, so its pid is its
 * pgid. After each test (and after the test's own {@code @AfterEach} methods) it closes the sandbox (ending any
 * stalled reply), checks that no {@code claude} process is left under this JVM, and waits for the server to have no
 * running execution.
 */
final class StubbedClaude implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private final StubbedClaudeCli cli = new StubbedClaudeCli();
    private final SharedServer server;
    private final Set<Long> groups = ConcurrentHashMap.newKeySet();

    StubbedClaude(SharedServer server) {
        this.server = server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cli.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        groups.clear();
        cli.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        boolean asked = !stub().messageRequests().isEmpty();
        cli.afterEach(context);
        List<ProcessHandle> left = Wait.untilValue(5_000, StubbedClaude::claudeProcesses, List::isEmpty);
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("claude processes left behind").isEmpty();
        // Otherwise the Groups check after the test would pass without looking at anything.
        assertThat(groups.isEmpty()).as("claude runs that asked the stub but were not reported to Groups")
                .isEqualTo(!asked);
        Wait.until(5_000, "no running execution on the server",
                () -> server.server().health().runningProcesses() == 0);
    }

    /** This test's stub of the Messages API. */
    StubAnthropicApi stub() {
        return cli.stub();
    }

    /** Where Claude Code runs ({@code --cwd}). */
    Path cwd() {
        return cli.cwd();
    }

    /** Queues replies, one per request to the Messages API. */
    void script(Reply... replies) {
        for (Reply r : replies) {
            script(request -> r);
        }
    }

    /** Queues a reply computed from the request that takes it. */
    void script(Function<RecordedRequest, Reply> reply) {
        stub().enqueue(request -> {
            ProcessHandle.current().children().filter(StubbedClaude::isClaude).forEach(p -> {
                groups.add(p.pid());
                Groups.saw(p.pid());
            });
            return reply.apply(request);
        });
    }

    /**
     * The {@code ccx} flags that reach the server and run Claude Code against the stub in {@link #cwd()}, allowed to
     * write and read files. As root, Claude Code refuses to skip permissions, so it gets
     * {@code --permission-mode acceptEdits --allowed-tools Write,Read}.
     */
    List<String> flags() {
        return flags(List.of("--permission-mode", "acceptEdits", "--allowed-tools", "Write,Read"));
    }

    /** {@link #flags()} with {@code permissions} instead of the flags that allow writing and reading files. */
    List<String> flags(List<String> permissions) {
        List<String> flags = new ArrayList<>(List.of("--url", server.uri().toString(),
                "--claude-bin", ClaudeCodeCli.executable().toString(), "--cwd", cwd().toString()));
        flags.addAll(permissions);
        cli.environment().forEach((name, value) -> {
            flags.add("--env");
            flags.add(name + "=" + value);
        });
        return flags;
    }

    /** The session id Claude Code sent with request {@code n} (from 0) to the Messages API. */
    String session(int n) {
        return stub().messageRequests().get(n).header("x-claude-code-session-id");
    }

    private static List<ProcessHandle> claudeProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(StubbedClaude::isClaude)
                .toList();
    }

    private static boolean isClaude(ProcessHandle p) {
        return p.info().command().map(c -> c.contains("claude")).orElse(false);
    }
}
