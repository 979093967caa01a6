// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ccx send ID [TEXT|-]}: writes to the stdin of an execution started with stdin (a kept one, from any
 * terminal): TEXT and a newline, or this process's stdin for {@code -} (or no TEXT). Each piece is answered once it
 * is in the process's pipe.
 */
@picocli.CommandLine.Command(name = "send", mixinStandardHelpOptions = true,
        description = "Write TEXT (and a newline), or this process's stdin (-), to an execution's stdin.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "125:ccx failed: no such execution, no stdin (-32010), not read in time "
                + "(-32009), connection failed"})
final class SendCommand implements Callable<Integer> {
    private static final int PIECE = 256 * 1024;

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "ID", description = "The execution id (ccx ps lists them).")
    String id;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TEXT", description = "What to send; - or none: stdin.")
    String text;

    @Option(names = {"-n", "--no-newline"}, description = "Do not add a newline after TEXT.")
    boolean noNewline;

    @Option(names = "--eof", description = "Close the execution's stdin after this (it reads end of file).")
    boolean eof;

    private final InputStream in;
    private final PrintStream out;

    SendCommand(InputStream in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        long written = 0;
        try (CcxClient client = server.connect()) {
            if (text != null && !text.equals("-")) {
                written = client.stdin(id, (noNewline ? text : text + "\n").getBytes(StandardCharsets.UTF_8), eof)
                        .written();
            } else {
                byte[] buffer = new byte[PIECE];
                int n;
                while ((n = in.readNBytes(buffer, 0, PIECE)) > 0) {
                    written += client.stdin(id, Arrays.copyOf(buffer, n), false).written();
                }
                if (eof) {
                    client.stdin(id, new byte[0], true);
                }
            }
        }
        out.println(written + " bytes sent to " + id + (eof ? ", stdin closed" : ""));
        return ExitCodes.OK;
    }
}
