// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CommandResult;
import dev.ccx.client.TaskResult;
import dev.ccx.protocol.EndReason;

/**
 * The exit codes of the client subcommands, in one place so that {@code run}, {@code claude}, {@code batch} and
 * {@code tasks} agree. They follow the conventions of {@code timeout(1)} (124), {@code env(1)} (125, 127) and shells
 * (128 + signal).
 */
final class ExitCodes {
    static final int OK = 0;
    /** Some task did not succeed ({@code batch}, {@code tasks}), or Claude's run failed ({@code claude}). */
    static final int FAILED = 1;
    /** Bad usage or a bad task file: picocli's code for usage errors. */
    static final int USAGE = 2;
    static final int TIMED_OUT = 124;
    static final int CCX_FAILED = 125;
    static final int NOT_FOUND = 127;
    static final int CANCELED = 130;
    static final int SHUTDOWN = 143;

    private ExitCodes() {
    }

    /** The code for one task's outcome: 0, 1, 124, 125 or 130. */
    static int of(TaskResult r) {
        return switch (r.status()) {
            case SUCCESS -> OK;
            case TIMEOUT -> TIMED_OUT;
            case ERROR -> CCX_FAILED;
            case FAILED, SKIPPED -> canceled(r) ? CANCELED : FAILED;
        };
    }

    private static boolean canceled(TaskResult r) {
        return r.result() != null && (r.result().reason() == EndReason.CANCELED
                || r.result().reason() == EndReason.DISCONNECT || r.result().reason() == EndReason.ABANDONED);
    }

    /** The code for one command's end, as {@code run} and {@code attach} exit: its own code, or what ended it. */
    static int of(CommandResult r) {
        if (r.reason() == null) {
            return CCX_FAILED;
        }
        return switch (r.reason()) {
            case EXIT -> r.exitCode() == null ? CCX_FAILED : r.exitCode();
            case TIMEOUT, IDLE_TIMEOUT -> TIMED_OUT;
            case CANCELED, DISCONNECT, ABANDONED -> CANCELED;
            case SHUTDOWN -> SHUTDOWN;
            case ERROR, WORKER_LOST -> CCX_FAILED;
        };
    }
}
