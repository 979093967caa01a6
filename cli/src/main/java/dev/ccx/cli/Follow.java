// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.DetachedException;
import dev.ccx.client.RunningCommand;

/** Follows an execution to its end and prints how it ended; a detach (Ctrl-C on a kept one) exits 130. */
final class Follow {
    private Follow() {
    }

    static int toEnd(RunningCommand running, OutputPrinter printer) {
        try {
            return printer.finish(running.await());
        } catch (DetachedException e) {
            return ExitCodes.CANCELED; // the signal handler has said so
        }
    }
}
