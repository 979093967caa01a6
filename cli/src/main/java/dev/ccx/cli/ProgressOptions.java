// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.progress.ProgressMode;
import picocli.CommandLine.Option;

/** How long-running subcommands ({@code claude}, {@code batch}, {@code tasks}) show progress; see docs/cli.md. */
final class ProgressOptions {
    @Option(names = "--json", description = "JSON lines on stdout: progress events, then the result or summary.")
    boolean json;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto, tty, plain or none (default auto: tty when stderr is a terminal).")
    String progress;

    /** The mode these flags ask for; {@code --json} wins. */
    ProgressMode mode() {
        return ProgressMode.choose(progress, json);
    }
}
