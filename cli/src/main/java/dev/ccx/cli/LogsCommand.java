// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.CcxException;
import dev.ccx.client.RunningCommand;
import dev.ccx.protocol.AttachResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ccx logs ID}: prints what an execution has written so far (from its start, as far as the server still
 * holds it) and returns; with {@code --follow}, goes on to its end like {@code attach}.
 */
@picocli.CommandLine.Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print an execution's output so far, from its start; --follow goes on to its end.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed (with --follow: the command's own code, as ccx attach)",
                        "125:ccx failed: no such execution, start of the log gone (-32008), connection lost"})
final class LogsCommand implements Callable<Integer> {
    /** How long the replay of what was there may take before logs gives up. */
    private static final Duration REPLAY_BOUND = Duration.ofMinutes(10);

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "ID", description = "The execution id (ccx ps lists them).")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Keep printing until the execution ends; exit with its code.")
    boolean follow;

    @Option(names = "--json", description = "Print one JSON object per output line.")
    boolean json;

    private final PrintStream out;
    private final PrintStream err;

    LogsCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
        OutputPrinter printer = new OutputPrinter("ccx logs", out, err, json);
        try (CcxClient client = server.connect()) {
            RunningCommand running = client.attach(id, 0, printer);
            AttachResult at = running.attachInfo().orElseThrow();
            if (follow) {
                return Graceful.run(() -> Detach.quietly(running, err, "ccx logs"), () -> Follow.toEnd(running,
                        printer));
            }
            if ("completed".equals(at.status())) {
                running.result().get(REPLAY_BOUND.toSeconds(), TimeUnit.SECONDS);
            } else {
                running.whenSeen(at.nextSeq() - 1).get(REPLAY_BOUND.toSeconds(), TimeUnit.SECONDS);
                running.detach();
            }
            out.flush();
            return ExitCodes.OK;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CcxException c ? c : new CcxException("logs of " + id + ": " + e, e);
        } catch (TimeoutException e) {
            throw new CcxException("the log of " + id + " was not replayed within " + REPLAY_BOUND);
        }
    }
}
