// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxException;
import dev.ccx.client.RunningCommand;
import java.io.PrintStream;

/** Ctrl-C on a followed kept execution: stop following, leave it running, and say how to take it up again. */
final class Detach {
    private Detach() {
    }

    static void quietly(RunningCommand running, PrintStream err, String who) {
        try {
            running.detach();
            err.println(who + ": detached from execution " + running.executionId() + "; it runs on. Follow it "
                    + "again: ccx attach " + running.executionId() + " --from-seq " + running.lastSeq());
        } catch (CcxException e) {
            err.println(who + ": could not detach from execution " + running.executionId() + ": " + e.getMessage());
        }
        err.flush();
    }
}
