// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.cli.progress.ProgressView;
import dev.ccx.cli.report.Report;
import dev.ccx.cli.taskfile.TaskFile;
import dev.ccx.cli.taskfile.TaskFileException;
import dev.ccx.cli.taskfile.TaskFileReader;
import dev.ccx.cli.taskfile.TaskKind;
import dev.ccx.cli.taskfile.TaskSpec;
import dev.ccx.client.ClientOptions;
import dev.ccx.client.Task;
import dev.ccx.client.TaskListener;
import dev.ccx.client.TaskResult;
import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code ccx batch} and {@code ccx tasks} share: reading the task file, live progress, the JSON report, the
 * summary and the exit code. Subclasses decide how the tasks run (at once, or in order).
 */
abstract class TaskFileCommand implements Callable<Integer> {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneId.systemDefault());

    @Mixin
    ServerOptions server;

    @Mixin
    ExecOptions exec;

    @Mixin
    ClaudeOptions claude;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The task file: JSON, or a markdown/plain list; - reads it from stdin.")
    Path file;

    @Option(names = "--timeout", paramLabel = "S",
            description = "Deadline per task in seconds, for tasks without their own (default: the file's, else "
                    + "predicted by the server).")
    Double timeout;

    @Mixin
    ProgressOptions display;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write the JSON report here (default: ccx-reports/KIND-TIMESTAMP.json).")
    Path report;

    @Option(names = "--no-report", description = "Write no report file.")
    boolean noReport;

    final InputStream in;
    final PrintStream out;
    final PrintStream err;

    TaskFileCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** {@code batch} or {@code tasks}. */
    abstract String kind();

    /** What a bare line or string of the file is. */
    abstract TaskKind defaultKind();

    /** Runs the tasks; blocks; an interrupt cancels what runs. */
    abstract List<TaskResult> run(TaskFile tasks, List<Task> list, Duration taskTimeout, ClientOptions options,
                                  TaskListener listener);

    /** The settings in force, for the report. */
    abstract Map<String, Object> settings(TaskFile tasks, Duration taskTimeout);

    @Override
    public Integer call() {
        TaskFile tasks;
        try {
            TaskFileReader reader = new TaskFileReader(defaultKind(),
                    claude.task(TaskFileReader.PLACEHOLDER_PROMPT, exec), exec.directory());
            // A plan piped in by an orchestrator has no directory of its own: relative cwds use the current one.
            tasks = "-".equals(file.toString())
                    ? reader.parse("stdin", new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    : reader.read(file);
        } catch (TaskFileException e) {
            err.println("ccx " + kind() + ": " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("ccx " + kind() + ": cannot read the task list from stdin: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Thread main = Thread.currentThread();
        // The report and summary are written inside Graceful too: after Ctrl-C they are what the user still needs.
        return Graceful.run(main::interrupt, () -> runAndReport(tasks));
    }

    private int runAndReport(TaskFile tasks) {
        Duration taskTimeout = timeout != null ? ExecOptions.seconds(timeout) : tasks.timeout();
        List<String> names = tasks.tasks().stream().map(TaskSpec::name).toList();
        List<Task> list = tasks.tasks().stream().map(TaskSpec::task).toList();
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<TaskResult> results;
        try (ProgressView view = new ProgressView(display.mode(), out, err, names)) {
            results = run(tasks, list, taskTimeout, server.options(), view);
        }
        // After Ctrl-C the runner leaves the interrupt flag set; the report must still be written, and interruptible
        // I/O would refuse to. The JVM is exiting with 130 either way.
        Thread.interrupted();
        List<Report.Entry> entries = new ArrayList<>();
        for (TaskResult r : results) {
            TaskSpec spec = tasks.tasks().get(r.index());
            entries.add(new Report.Entry(spec.name(), spec.line(), r));
        }
        Report rep = new Report(kind(), file.toString(), server.url.toString(), started,
                Duration.ofNanos(System.nanoTime() - t0), settings(tasks, taskTimeout), entries);
        Path written = write(rep, started);
        if (display.json) {
            ObjectNode n = Wire.mapper().createObjectNode().put("type", "summary");
            n.setAll(rep.toJson().retain("kind", "file", "duration", "counts"));
            n.put("report", written == null ? null : written.toString());
            out.println(Wire.mapper().writeValueAsString(n));
        } else {
            out.print(rep.summary());
            if (written != null) {
                out.println("report: " + written);
            }
        }
        out.flush();
        return rep.allSucceeded() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** Writes the report unless {@code --no-report}; a report that cannot be written is reported, not fatal. */
    private Path write(Report rep, Instant started) {
        if (noReport) {
            return null;
        }
        Path target = report != null ? report : Path.of("ccx-reports", kind() + "-" + STAMP.format(started) + ".json");
        try {
            return rep.write(target);
        } catch (IOException e) {
            err.println("ccx " + kind() + ": could not write the report to " + target + ": " + e);
            return null;
        }
    }
}
