// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.claude.stub.ClaudeCodeCli;
import dev.ccx.client.claude.stub.ClaudeSandbox;
import dev.ccx.client.claude.stub.RecordedRequest;
import dev.ccx.client.claude.stub.Reply;
import dev.ccx.client.claude.stub.StubAnthropicApi;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.Wait;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The real Claude Code CLI pointed at a {@link StubAnthropicApi}, for tests of the {@code ccx} commands that run it:
 * the stub, a working directory and a home for Claude Code, and the {@code ccx} flags that use them.
 *
 * <p>Every scripted reply, when a {@code claude} process asks for it, reports that process's group to
 * {@link Groups}: the server starts each run with {@code setsid} as a direct child of this JVM, so its pid is its
 * pgid. {@link #close()} closes the stub (ending any stalled reply) and then checks that no {@code claude} process is
 * left under this JVM.
 */
final class StubbedClaude implements AutoCloseable {
    private final ClaudeSandbox sandbox;
    final StubAnthropicApi stub;
    /** Where Claude Code runs ({@code --cwd}). */
    final Path cwd;
    private final Set<Long> groups = ConcurrentHashMap.newKeySet();

    /** A stub and directories under {@code tmp}. */
    StubbedClaude(Path tmp) {
        sandbox = ClaudeSandbox.open(tmp);
        stub = sandbox.stub();
        cwd = sandbox.cwd();
    }

    /** Installs the pinned Claude Code CLI if needed; fails (never skips) when it cannot. */
    static void install() {
        ClaudeCodeCli.executable();
    }

    /** Queues replies, one per request to the Messages API. */
    void script(Reply... replies) {
        for (Reply r : replies) {
            script(request -> r);
        }
    }

    /** Queues a reply computed from the request that takes it. */
    void script(Function<RecordedRequest, Reply> reply) {
        stub.enqueue(request -> {
            ProcessHandle.current().children().filter(StubbedClaude::isClaude).forEach(p -> {
                groups.add(p.pid());
                Groups.saw(p.pid());
            });
            return reply.apply(request);
        });
    }

    /**
     * The {@code ccx} flags that reach the server at {@code url} and run Claude Code against the stub in
     * {@link #cwd}, allowed to write and read files. As root, Claude Code refuses to skip permissions, so it gets
     * {@code --permission-mode acceptEdits --allowed-tools Write,Read}.
     */
    List<String> flags(URI url) {
        return flags(url, List.of("--permission-mode", "acceptEdits", "--allowed-tools", "Write,Read"));
    }

    /** {@link #flags(URI)} with {@code permissions} instead of the flags that allow writing and reading files. */
    List<String> flags(URI url, List<String> permissions) {
        List<String> flags = new ArrayList<>(List.of("--url", url.toString(),
                "--claude-bin", ClaudeCodeCli.executable().toString(), "--cwd", cwd.toString()));
        flags.addAll(permissions);
        sandbox.environment().forEach((name, value) -> {
            flags.add("--env");
            flags.add(name + "=" + value);
        });
        return flags;
    }

    /** The session id Claude Code sent with request {@code n} (from 0) to the Messages API. */
    String session(int n) {
        return stub.messageRequests().get(n).header("x-claude-code-session-id");
    }

    @Override
    public void close() {
        sandbox.close();
        List<ProcessHandle> left = Wait.untilValue(5_000, StubbedClaude::claudeProcesses, List::isEmpty);
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("claude processes left behind").isEmpty();
        // Otherwise the Groups check after the test would pass without looking at anything.
        assertThat(groups.isEmpty()).as("claude runs that asked the stub but were not reported to Groups")
                .isEqualTo(stub.messageRequests().isEmpty());
    }

    private static List<ProcessHandle> claudeProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(StubbedClaude::isClaude)
                .toList();
    }

    private static boolean isClaude(ProcessHandle p) {
        return p.info().command().map(c -> c.contains("claude")).orElse(false);
    }
}
