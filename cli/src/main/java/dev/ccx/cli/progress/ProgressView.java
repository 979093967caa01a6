// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.progress;

import dev.ccx.cli.report.Report;
import dev.ccx.cli.report.ResultJson;
import dev.ccx.client.RunningCommand;
import dev.ccx.client.Stream;
import dev.ccx.client.Task;
import dev.ccx.client.TaskResult;
import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeListener;
import dev.ccx.client.claude.Progress;
import dev.ccx.client.claude.StreamJsonParser;
import dev.ccx.protocol.ProcessEvent;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.node.ObjectNode;

/**
 * Live progress of one or more tasks: elapsed time, the duration the server predicts, lines and bytes of output,
 * and for Claude Code the turns, tool calls and tokens so far. Drawn as described by {@link ProgressMode}.
 *
 * <p><b>Threads.</b> Listener calls come from the task threads and the executions' callback threads; one ticker
 * (a virtual thread) redraws. Everything written goes through {@link #print}, one writer at a time, so lines never
 * interleave. {@link #close()} stops the ticker and clears the status line.
 */
public final class ProgressView implements ClaudeListener, AutoCloseable {
    private static final Duration TTY_TICK = Duration.ofMillis(250);
    private static final Duration PLAIN_TICK = Duration.ofSeconds(10);

    private final ProgressMode mode;
    private final PrintStream out;
    private final PrintStream err;
    private final List<String> names;
    private final long t0 = System.nanoTime();
    private final Map<Integer, Running> running = new ConcurrentHashMap<>();
    private final AtomicInteger finished = new AtomicInteger();
    /** Tasks reported finished: a late callback (a line queued behind a failure) must not bring one back. */
    private final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread ticker;
    /** Whether a TTY status line is on screen and must be cleared before the next permanent line. */
    private boolean statusShown;

    /** What is known of a running task. */
    private static final class Running {
        final String name;
        final long start = System.nanoTime();
        final LongAdder lines = new LongAdder();
        final LongAdder bytes = new LongAdder();
        volatile RunningCommand execution;
        volatile StreamJsonParser claude;
        volatile String lastTool;

        Running(String name) {
            this.name = name;
        }
    }

    /**
     * A view of tasks named {@code names} (index order).
     *
     * @param out where {@link ProgressMode#JSON} events go (stdout)
     * @param err where {@link ProgressMode#TTY} and {@link ProgressMode#PLAIN} lines go (stderr)
     */
    public ProgressView(ProgressMode mode, PrintStream out, PrintStream err, List<String> names) {
        this.mode = mode;
        this.out = out;
        this.err = err;
        this.names = List.copyOf(names);
        Duration tick = mode == ProgressMode.TTY ? TTY_TICK : mode == ProgressMode.PLAIN ? PLAIN_TICK : null;
        this.ticker = tick == null ? null : Thread.ofVirtual().name("ccx-progress").start(() -> tick(tick));
    }

    // ---- listener ----------------------------------------------------------------------------------------------

    @Override
    public void started(int index, Task task, RunningCommand execution) {
        Running r = state(index);
        r.execution = execution;
        if (mode == ProgressMode.JSON) {
            ObjectNode n = event("task_started", index);
            n.put("execution_id", execution.executionId());
            n.put("pid", execution.pid());
            json(n);
        } else if (mode != ProgressMode.NONE) {
            line(prefix(index) + "started: " + r.name);
        }
    }

    @Override
    public void output(int index, Stream stream, String line) {
        Running r = state(index);
        r.lines.increment();
        r.bytes.add(Units.utf8Line(line));
    }

    @Override
    public void event(int index, ClaudeEvent event, StreamJsonParser run) {
        Running r = state(index);
        r.claude = run;
        switch (event) {
            case ClaudeEvent.ToolUse t -> {
                r.lastTool = t.name();
                if (mode == ProgressMode.JSON) {
                    ObjectNode n = event("tool_use", index);
                    n.put("tool", t.name());
                    n.set("input", t.input());
                    json(n);
                } else if (mode != ProgressMode.NONE) {
                    line(prefix(index) + "tool: " + t.name() + " " + brief(t.input().toString()));
                }
            }
            case ClaudeEvent.ApiRetry a -> {
                String what = "API retry " + (a.attempt() == null ? "" : a.attempt() + " ")
                        + (a.httpStatus() == null ? "" : "after HTTP " + a.httpStatus() + " ")
                        + (a.error() == null ? "" : "(" + a.error() + ")");
                if (mode == ProgressMode.JSON) {
                    ObjectNode n = event("api_retry", index);
                    n.put("http_status", a.httpStatus());
                    n.put("attempt", a.attempt());
                    json(n);
                } else if (mode != ProgressMode.NONE) {
                    line(prefix(index) + what.strip());
                }
            }
            default -> { }
        }
    }

    @Override
    public void retrying(int index, int attempt, Duration delay, String reason) {
        if (mode == ProgressMode.JSON) {
            ObjectNode n = event("retrying", index);
            n.put("attempt", attempt);
            n.put("delay", ResultJson.seconds(delay));
            n.put("reason", reason);
            json(n);
        } else if (mode != ProgressMode.NONE) {
            line(prefix(index) + "retrying: " + reason);
        }
    }

    @Override
    public void finished(TaskResult result) {
        ended.add(result.index());
        running.remove(result.index());
        int done = finished.incrementAndGet();
        if (mode == ProgressMode.JSON) {
            json(ResultJson.task("task_finished", result, name(result.index()), false));
        } else if (mode != ProgressMode.NONE) {
            String took = result.result() == null ? "" : " " + Units.duration(result.result().duration());
            line((names.size() > 1 ? "[" + done + "/" + names.size() + "] " : "") + Report.label(result) + took
                    + " " + name(result.index()) + (result.message() == null ? "" : " — " + result.message()));
        }
    }

    /**
     * The state of a task; created by whichever call comes first (output can precede {@code started}). A task that
     * has finished gets a throwaway state, so that a late callback does not show it running again.
     */
    private Running state(int index) {
        if (ended.contains(index)) {
            return new Running(name(index));
        }
        return running.computeIfAbsent(index, i -> new Running(name(i)));
    }

    // ---- drawing -----------------------------------------------------------------------------------------------

    private void tick(Duration every) {
        try {
            while (!closed.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
                if (mode == ProgressMode.TTY) {
                    status();
                } else {
                    running.forEach((i, r) -> line(prefix(i) + "running: " + describe(r)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Redraws the TTY status line: totals, then the longest-running task. */
    private void status() {
        Running oldest = running.values().stream().min(Comparator.comparingLong(r -> r.start)).orElse(null);
        if (oldest == null) {
            return;
        }
        String head = names.size() > 1 ? "[" + finished.get() + "/" + names.size() + " done, " + running.size()
                + " running] " : "";
        String text = head + describe(oldest);
        int width = Terminal.width() - 1;
        print(text.length() > width ? text.substring(0, width - 1) + "…" : text, true);
    }

    /** "name 12.3s/≈40s · 120 lines 8.2 KB · turn 3 · 2 tools (last Write) · 1.2k tokens". */
    private static String describe(Running r) {
        StringBuilder b = new StringBuilder(r.name).append("  ")
                .append(Units.duration(Duration.ofNanos(System.nanoTime() - r.start)));
        RunningCommand rc = r.execution;
        ProcessEvent start = rc == null ? null : rc.startInfo().orElse(null);
        if (start != null && start.expectedDuration() != null) {
            b.append(" of ≈").append(Units.duration(Duration.ofMillis((long) (start.expectedDuration() * 1000))));
        }
        StreamJsonParser claude = r.claude;
        if (claude == null) {
            b.append(" · ").append(Units.count(r.lines.sum())).append(" lines ")
                    .append(Units.bytes(r.bytes.sum()));
        } else {
            Progress p = claude.progress();
            b.append(" · turn ").append(p.turns()).append(" · ").append(p.toolCalls()).append(" tool calls");
            if (r.lastTool != null) {
                b.append(" (last ").append(r.lastTool).append(')');
            }
            b.append(" · ").append(Units.count(p.usage().totalInputTokens() + p.usage().outputTokens()))
                    .append(" tokens");
        }
        return b.toString();
    }

    /**
     * A permanent line; in TTY mode the status line on screen is cleared first (carriage return, erase line) and
     * redrawn by the next tick.
     */
    private void line(String text) {
        print(text + System.lineSeparator(), false);
    }

    private synchronized void print(String text, boolean isStatus) {
        if (statusShown) {
            err.print("\r\033[K");
            statusShown = false;
        }
        err.print(text);
        err.flush();
        statusShown = isStatus;
    }

    private synchronized void json(ObjectNode n) {
        out.println(Wire.mapper().writeValueAsString(n));
        out.flush();
    }

    private ObjectNode event(String type, int index) {
        ObjectNode n = Wire.mapper().createObjectNode();
        n.put("type", type);
        n.put("index", index);
        n.put("name", name(index));
        return n;
    }

    private String prefix(int index) {
        return names.size() > 1 ? "[" + (index + 1) + "] " : "";
    }

    private String name(int index) {
        return index < names.size() ? names.get(index) : "task " + (index + 1);
    }

    private static String brief(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    @Override
    public void close() {
        closed.countDown();
        if (ticker != null) {
            try {
                ticker.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (statusShown) {
                err.print("\r\033[K");
                err.flush();
                statusShown = false;
            }
        }
    }
}
