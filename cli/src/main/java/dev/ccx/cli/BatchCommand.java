// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.taskfile.TaskFile;
import dev.ccx.cli.taskfile.TaskKind;
import dev.ccx.client.Batch;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.Task;
import dev.ccx.client.TaskListener;
import dev.ccx.client.TaskResult;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code ccx batch FILE}: runs the file's tasks at once, at most N at a time; one failure never stops the others. */
@picocli.CommandLine.Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run many tasks at once on a ccx server, at most --max-concurrent at a time.",
                       "A line or string of FILE is a shell command; {\"prompt\": ...} entries run Claude Code.",
                       "Prints a summary and writes a JSON report; see docs/task-files.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every task succeeded", "1:some task failed, timed out or could not run",
                        "2:bad usage or a bad task file (the message names the file and line)",
                        "125:ccx failed: server not reachable", "130:interrupted (Ctrl-C): running tasks canceled"})
final class BatchCommand extends TaskFileCommand {
    @Option(names = "--max-concurrent", paramLabel = "N",
            description = "Tasks at once (default: the file's max_concurrent, else 4).")
    Integer maxConcurrent;

    BatchCommand(InputStream in, PrintStream out, PrintStream err) {
        super(in, out, err);
    }

    @Override
    String kind() {
        return "batch";
    }

    @Override
    TaskKind defaultKind() {
        return TaskKind.COMMAND;
    }

    private int concurrency(TaskFile tasks) {
        int n = maxConcurrent != null ? maxConcurrent : tasks.maxConcurrent() != null ? tasks.maxConcurrent() : 4;
        if (n < 1) {
            throw new IllegalArgumentException("--max-concurrent must be at least 1, got " + n);
        }
        return n;
    }

    @Override
    List<TaskResult> run(TaskFile tasks, List<Task> list, Duration taskTimeout, ClientOptions options,
                         TaskListener listener) {
        return Batch.of(concurrency(tasks), taskTimeout).run(server.url, options, list, listener);
    }

    @Override
    Map<String, Object> settings(TaskFile tasks, Duration taskTimeout) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("max_concurrent", concurrency(tasks));
        s.put("timeout", taskTimeout == null ? "predicted" : taskTimeout.toMillis() / 1000.0);
        return s;
    }
}
