// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ccx cancel ID}: ends a kept execution (SIGTERM to its group, SIGKILL after the grace) from any terminal. */
@picocli.CommandLine.Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a kept execution by id, from any connection with the same token.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:canceled", "125:ccx failed: no such execution, already ended, connection failed"})
final class CancelCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "ID", description = "The execution id (ccx ps lists them).")
    String id;

    private final PrintStream out;

    CancelCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        try (CcxClient client = server.connect()) {
            ControlResult r = client.control(ControlType.CANCEL, id);
            out.println(r.status() + " " + r.executionId());
            return ExitCodes.OK;
        }
    }
}
