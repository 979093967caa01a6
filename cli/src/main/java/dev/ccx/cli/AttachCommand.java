// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.RunningCommand;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ccx attach ID}: follows an execution (a kept one, from any terminal) from a position to its end, riding out
 * connection losses, and exits with its code; Ctrl-C detaches and leaves it running.
 */
@picocli.CommandLine.Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Follow an execution from a position (default: its start) to its end; exit with its code. "
                + "Ctrl-C detaches: it runs on.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"N:the command's own exit code", "124:it hit its timeout or idle timeout",
                        "125:ccx failed: no such execution, position gone (-32008), connection lost",
                        "130:it was canceled or abandoned, or Ctrl-C detached", "143:the server shut down"})
final class AttachCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "ID", description = "The execution id (ccx ps lists them).")
    String id;

    @Option(names = "--from-seq", defaultValue = "0", description = "Replay what follows this seq (default 0: "
            + "everything the server still holds).")
    long fromSeq;

    @Option(names = "--json", description = "Print one JSON object per output line, then the result.")
    boolean json;

    private final PrintStream out;
    private final PrintStream err;

    AttachCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (fromSeq < 0) {
            throw new IllegalArgumentException("--from-seq must be >= 0, got " + fromSeq);
        }
        OutputPrinter printer = new OutputPrinter("ccx attach", out, err, json);
        try (CcxClient client = server.connect()) {
            RunningCommand running = client.attach(id, fromSeq, printer);
            return Graceful.run(() -> Detach.quietly(running, err, "ccx attach"), () -> Follow.toEnd(running,
                    printer));
        }
    }
}
