// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.taskfile.TaskFile;
import dev.ccx.cli.taskfile.TaskKind;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.Task;
import dev.ccx.client.TaskList;
import dev.ccx.client.TaskListener;
import dev.ccx.client.TaskResult;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code ccx tasks FILE}: runs the file's tasks in order, each starting when the previous has ended, by default
 * stopping at the first failure, since later tasks of a list usually build on earlier ones.
 */
@picocli.CommandLine.Command(name = "tasks", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a task list in order on a ccx server, each task by a fresh Claude Code (or a command).",
                       "A list item or string of FILE is a Claude prompt; `cmd` or $ cmd is a shell command.",
                       "Stops at the first failure unless --keep-going. Prints a summary and writes a JSON "
                               + "report; see docs/task-files.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every task succeeded", "1:some task failed, timed out, could not run or was skipped",
                        "2:bad usage or a bad task file (the message names the file and line)",
                        "125:ccx failed: server not reachable",
                        "130:interrupted (Ctrl-C): the running task canceled, the rest skipped"})
final class TasksCommand extends TaskFileCommand {
    @Option(names = "--keep-going", description = "Run every task even after one fails (default: the file's "
            + "stop_on_failure, else stop).")
    Boolean keepGoing;

    TasksCommand(InputStream in, PrintStream out, PrintStream err) {
        super(in, out, err);
    }

    @Override
    String kind() {
        return "tasks";
    }

    @Override
    TaskKind defaultKind() {
        return TaskKind.PROMPT;
    }

    private boolean stopOnFailure(TaskFile tasks) {
        if (keepGoing != null) {
            return !keepGoing;
        }
        return tasks.stopOnFailure() == null || tasks.stopOnFailure();
    }

    @Override
    List<TaskResult> run(TaskFile tasks, List<Task> list, Duration taskTimeout, ClientOptions options,
                         TaskListener listener) {
        return new TaskList(list, stopOnFailure(tasks), taskTimeout).run(server.url, options, listener);
    }

    @Override
    Map<String, Object> settings(TaskFile tasks, Duration taskTimeout) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stop_on_failure", stopOnFailure(tasks));
        s.put("timeout", taskTimeout == null ? "predicted" : taskTimeout.toMillis() / 1000.0);
        return s;
    }
}
