// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.chat.Permissions;
import dev.ccx.cli.progress.Terminal;
import java.io.InputStream;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/** The options of {@code ccx claude --chat}; see docs/cli.md. */
final class ChatOptions {
    @Option(names = "--chat", description = "A conversation instead of one prompt: one Claude Code session, a prompt "
            + "per line from the terminal (or JSON lines in and out without one).")
    boolean enabled;

    @Option(names = "--attach", paramLabel = "ID",
            description = "With --chat: take up the session running as execution ID (replayed first).")
    String attach;

    @Option(names = "--permission-prompt", paramLabel = "MODE", description = "With --chat: who decides the tool "
            + "permissions Claude Code asks for: ask (at the terminal), allow or deny (default: ask at a terminal, "
            + "deny without one).")
    String permissionPrompt;

    /** Whether the chat talks to a person: stdin and stdout are this process's own and both terminals. */
    static boolean interactive(InputStream in, PrintStream out, boolean json) {
        return !json && in == System.in && out == System.out && Terminal.isTerminal(0) && Terminal.isTerminal(1);
    }

    /** Who decides permissions: {@code --permission-prompt}, else ask a person when there is one, else deny. */
    Permissions.Mode permissions(boolean interactive) {
        if (permissionPrompt == null) {
            return interactive ? Permissions.Mode.ASK : Permissions.Mode.DENY;
        }
        Permissions.Mode m = Permissions.Mode.of(permissionPrompt);
        if (m == Permissions.Mode.ASK && !interactive) {
            throw new IllegalArgumentException("--permission-prompt ask needs a terminal on stdin and stdout "
                    + "(without --json); use allow or deny");
        }
        return m;
    }
}
