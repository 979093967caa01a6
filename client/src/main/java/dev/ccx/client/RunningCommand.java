// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteResult;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.ProcessEvent;
import dev.ccx.protocol.ProcessOutput;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A handle on one execution started by {@link CcxClient#execute}: its output, its controls, and its end.
 *
 * <p><b>Output.</b> Register {@link OutputListener}s with {@link CcxClient#execute(Command, OutputListener)} to see
 * every line, or with {@link #onOutput} to see the lines that arrive from then on. Listener calls come from the
 * {@link ClientOptions#callbackExecutor()}, one at a time per execution, in order (see {@link OutputListener}).
 * All output is also collected, up to {@link ClientOptions#maxBufferedOutput()}, into the {@link CommandResult}.
 *
 * <p><b>End, exactly once.</b> {@link #result()} completes once: normally with the {@link CommandResult} when the
 * server reports {@code process.completed} (after every listener call has returned), or exceptionally with
 * {@link ConnectionLostException} when the connection breaks first, or with {@link ClientClosedException} when the
 * client is closed and the execution did not confirm its end within {@link ClientOptions#closeTimeout()}.
 *
 * <p><b>Giving up.</b> {@link #await(Duration)} that runs out sends CANCEL and returns the result of the canceled
 * execution with {@link CommandResult#clientTimedOut()} set, so nothing the caller gave up on keeps running. The
 * same happens when a thread blocked in {@code await} is interrupted (it then throws). Closing the client cancels
 * every execution still running.
 *
 * <p><b>Kept executions.</b> A handle of a kept execution ({@link Command#keep}, or one from {@link CcxClient#attach})
 * survives a lost connection: the client attaches again from {@link #lastSeq()}, and nothing is missed or repeated.
 * {@link #detach()} stops following it while it runs on.
 *
 * <p><b>Stdin.</b> For a command started with {@link Command#stdin()}, {@link #stdin()} is a blocking, bounded
 * stream to the process, and {@link #closeStdin()} sends end of file.
 *
 * <p>{@link #close()} cancels the execution if it still runs, for try-with-resources.
 *
 * <p>Thread-safe: any thread may call any method. Controls block the caller for at most
 * {@link ClientOptions#requestTimeout()}.
 */
public final class RunningCommand implements AutoCloseable {
    private final CcxClient client;
    private final Command command;
    private final boolean kept;
    private final SerialExecutor callbacks;
    private final List<OutputListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CommandResult> result = new CompletableFuture<>();
    private final CompletableFuture<ProcessEvent> started = new CompletableFuture<>();
    private volatile String executionId;
    private volatile long pid;
    private volatile boolean clientTimedOut;
    /** The {@code seq} of the last notification handed on; written by the socket reader only. */
    private volatile long lastSeq;
    private StdinStream stdin;
    private volatile dev.ccx.protocol.AttachResult attachInfo;
    /** A wait for a {@code seq} ({@link #whenSeen}); set under {@code this}, read first without it. */
    private long awaitedSeq = Long.MAX_VALUE;
    private volatile CompletableFuture<Void> seen;

    // Output state: written by the socket reader only, which handles one message at a time.
    private final LineAssembler stdoutLines;
    private final LineAssembler stderrLines;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private final int maxBuffered;
    private boolean outputCut;
    /** Whether listeners were told the end; touched on the serial executor only. */
    private boolean ended;

    RunningCommand(CcxClient client, Command command, boolean kept, SerialExecutor callbacks, int maxBuffered,
                   OutputListener listener) {
        this.client = client;
        this.command = command;
        this.kept = kept;
        this.callbacks = callbacks;
        this.maxBuffered = command.streamLines() > 0 ? 0 : maxBuffered;
        int maxLine = command.streamLines() > 0 ? command.streamLines() : maxBuffered;
        this.stdoutLines = new LineAssembler(maxLine);
        this.stderrLines = new LineAssembler(maxLine);
        if (listener != null) {
            listeners.add(listener);
        }
    }

    /** The server's id of this execution, used in {@code control} and in every notification about it. */
    public String executionId() {
        return executionId;
    }

    /** The process id, also the process group id (every command runs in a group of its own). */
    public long pid() {
        return pid;
    }

    /** The key this handle is routed by: the execution id, or the pid for a server that sends no id. */
    String key() {
        return executionId != null ? executionId : "pid:" + pid;
    }

    /** Whether the execution outlives the connection (kept, or attached): the client re-attaches after a drop. */
    public boolean isKept() {
        return kept;
    }

    /**
     * The {@code seq} of the last notification of this execution the handle received: where an
     * {@link CcxClient#attach} would go on.
     */
    public long lastSeq() {
        return lastSeq;
    }

    /** What was run. */
    public Command command() {
        return command;
    }

    /**
     * The server's {@code process.started} notice once it has arrived: the deadline in force and where it came from,
     * and the typical duration of this kind of task when history knows it (for an ETA). Empty before it arrives,
     * and for a server that sends none.
     */
    public java.util.Optional<ProcessEvent> startInfo() {
        return started.isDone() && !started.isCompletedExceptionally()
                ? java.util.Optional.ofNullable(started.getNow(null)) : java.util.Optional.empty();
    }

    /**
     * Adds a listener for the lines that arrive from now on. Lines delivered before this call are not repeated;
     * to see every line, pass the listener to {@link CcxClient#execute(Command, OutputListener)}.
     */
    public RunningCommand onOutput(OutputListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Completes once with the result, or exceptionally with a {@link CcxException}; see the class description.
     * Dependent stages without an executor run on the callback thread of this execution after a normal end, and
     * on the thread that noticed the failure (the socket reader, or the closing thread) after a failure; keep
     * them short or give them an executor.
     */
    public CompletableFuture<CommandResult> result() {
        return result;
    }

    /** Whether the execution has ended (or the handle has failed). */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * Waits for the end. When {@code timeout} passes first, sends CANCEL, waits at most
     * {@link ClientOptions#closeTimeout()} for the server to confirm, and returns the result of the canceled
     * execution with its partial output and {@link CommandResult#clientTimedOut()} set.
     *
     * @throws ConnectionLostException the connection broke before the end
     * @throws ClientClosedException   the client was closed before the end was confirmed
     * @throws CcxTimeoutException     the server did not confirm the end after CANCEL within the close bound
     * @throws CcxException            the waiting thread was interrupted (the execution is canceled; the interrupt
     *                                 flag stays set)
     */
    public CommandResult await(Duration timeout) {
        try {
            return result.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return giveUp(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAsync();
            throw new CcxException("interrupted while waiting for execution " + executionId + "; it was canceled", e);
        } catch (ExecutionException e) {
            throw CcxClient.rethrow(e.getCause());
        }
    }

    /**
     * Waits as long as the server lets the execution run: its deadline in force (explicit or predicted, from
     * {@code process.started}) plus {@link ClientOptions#closeTimeout()}. Waits without bound only when the
     * server enforces no deadline at all. Throws as {@link #await(Duration)}.
     */
    public CommandResult await() {
        ProcessEvent s;
        try {
            s = started.get(client.options().requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            s = null; // process.started missing: rely on the result alone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAsync();
            throw new CcxException("interrupted while waiting for execution " + executionId + "; it was canceled", e);
        }
        if (s != null && s.timeout() != null) {
            Duration bound = Duration.ofNanos((long) (s.timeout() * 1e9)).plus(client.options().closeTimeout());
            return await(bound);
        }
        // No deadline on the server: wait for the end itself (a failed handle throws at once).
        return await(Duration.ofDays(3650));
    }

    private CommandResult giveUp(Duration timeout) {
        clientTimedOut = true; // read by the reader when it builds the result, so the result carries it
        // Not waiting for CANCEL's response: the one bound here is closeTimeout, for the end itself.
        cancelAsync();
        Duration bound = client.options().closeTimeout();
        try {
            return result.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CcxTimeoutException("execution " + executionId + " (" + command.describe()
                    + ") did not end within " + bound + " after CANCEL; it was canceled because await gave up after "
                    + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CcxException("interrupted while waiting for canceled execution " + executionId, e);
        } catch (ExecutionException e) {
            throw CcxClient.rethrow(e.getCause());
        }
    }

    /**
     * Cancels the execution if it still runs and waits for its end, through interrupts, for at most
     * {@link ClientOptions#closeTimeout()}: for a caller that gave up (interrupted, Ctrl-C) but still wants what the
     * command wrote. The caller's interrupt flag is kept. Never throws.
     *
     * @return the result of the (canceled) execution, or empty when the connection failed first or the end was not
     *         confirmed in time
     */
    public java.util.Optional<CommandResult> cancelAndAwait() {
        cancelAsync();
        long deadline = System.nanoTime() + client.options().closeTimeout().toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return java.util.Optional.of(result.get(Math.max(0, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS));
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException e) {
                    return java.util.Optional.empty();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops following the execution, which runs on (kept executions only); the handle then fails with
     * {@link DetachedException}, which says where to attach again.
     *
     * @throws RequestFailedException -32006 for an execution that ends with its connection (not kept)
     */
    public void detach() {
        client.detach(this);
    }

    /**
     * The process's stdin, for a command started with {@link Command#stdin()}: bytes written are sent in requests
     * of up to 64 KiB, at most 1 MiB unanswered at a time, so a process that does not read makes
     * {@code write} wait (each request bounded by the server's {@code --stdin-timeout}); a failure is an
     * {@link java.io.IOException} carrying the server's error. {@code close()} sends end of file. Not thread-safe:
     * one writer at a time.
     */
    public synchronized java.io.OutputStream stdin() {
        if (stdin == null) {
            stdin = new StdinStream(client, executionId);
        }
        return stdin;
    }

    /** Sends end of file to the process's stdin (after anything written and not yet sent). */
    public void closeStdin() {
        try {
            stdin().close();
        } catch (java.io.IOException e) {
            throw new CcxException("could not close the stdin of execution " + executionId + ": " + e.getMessage(),
                    e);
        }
    }

    /** Stops the process group (SIGSTOP). @throws RequestFailedException when it is already paused or ended */
    public void pause() {
        control(ControlType.PAUSE);
    }

    /** Continues the process group (SIGCONT). @throws RequestFailedException when it is not paused */
    public void resume() {
        control(ControlType.RESUME);
    }

    /**
     * Ends the execution (SIGTERM, then SIGKILL after the server's grace period). Idempotent: cancelling an
     * execution that has ended or is ending does nothing. The result follows with reason
     * {@link EndReason#CANCELED}.
     *
     * @throws ConnectionLostException  the connection broke
     * @throws ClientClosedException    the client is closed
     */
    public void cancel() {
        if (result.isDone()) {
            return;
        }
        try {
            control(ControlType.CANCEL);
        } catch (RequestFailedException e) {
            if (e.errorCode() != ErrorCode.NO_SUCH_PROCESS) {
                throw e;
            }
            // -32002: it ended or is ending on its own; its process.completed is on the way.
        }
    }

    /**
     * Cancels the execution if it is still running, so that a try-with-resources block leaves nothing running.
     * Sends CANCEL and returns at once, without waiting for the response or the end; never throws.
     */
    @Override
    public void close() {
        cancelAsync();
    }

    /** Sends CANCEL without waiting for the response: for paths that must not block or throw. */
    CompletableFuture<?> cancelAsync() {
        if (result.isDone()) {
            return CompletableFuture.completedFuture(null);
        }
        return client.controlAsync(ControlType.CANCEL, executionId).exceptionally(e -> null);
    }

    private void control(ControlType type) {
        client.control(type, executionId);
    }

    // ---- called by CcxClient on the socket reader --------------------------------------------------------------

    void started(ExecuteResult r) {
        executionId = r.executionId();
        pid = r.pid();
    }

    void attached(dev.ccx.protocol.AttachResult r, long fromSeq) {
        executionId = r.executionId();
        pid = r.pid();
        lastSeq = fromSeq;
        attachInfo = r;
    }

    /** For a handle from {@link CcxClient#attach}: what the server said of the execution when it was attached. */
    public java.util.Optional<dev.ccx.protocol.AttachResult> attachInfo() {
        return java.util.Optional.ofNullable(attachInfo);
    }

    /**
     * Completes once the notification {@code seq} has been received and the listener calls for what came up to it
     * have run (a line not yet ended by a newline is only delivered when it is). One wait at a time.
     */
    public synchronized CompletableFuture<Void> whenSeen(long seq) {
        seen = new CompletableFuture<>();
        awaitedSeq = seq;
        CompletableFuture<Void> f = seen;
        if (lastSeq >= seq) {
            callbacks.execute(() -> f.complete(null));
        }
        return f;
    }

    /** After a notification was handed on: completes a {@link #whenSeen} wait it reached. On the reader. */
    void handled() {
        if (seen != null) { // almost never: no lock per notification otherwise
            completeSeen();
        }
    }

    private synchronized void completeSeen() {
        if (seen != null && lastSeq >= awaitedSeq) {
            CompletableFuture<Void> f = seen;
            seen = null;
            awaitedSeq = Long.MAX_VALUE;
            callbacks.execute(() -> f.complete(null));
        }
    }

    /**
     * Records the {@code seq} of a notification about to be handed on; {@code false} for one already seen (a
     * re-attach never repeats a line). A notification without {@code seq} (the original server) always passes.
     */
    boolean advanceTo(long seq) {
        if (seq <= 0) {
            return true;
        }
        if (seq <= lastSeq) {
            return false;
        }
        lastSeq = seq;
        return true;
    }

    void onStarted(ProcessEvent e) {
        started.complete(e);
    }

    void onOutput(ProcessOutput o) {
        Stream stream = Stream.ofWire(o.type());
        String data = o.data() == null ? "" : o.data();
        buffer(stream == Stream.STDOUT ? stdout : stderr, data);
        (stream == Stream.STDOUT ? stdoutLines : stderrLines).feed(data, o.truncated(), line -> deliver(stream, line));
    }

    private void buffer(StringBuilder sb, String data) {
        if (maxBuffered == 0) {
            return; // streamOnly: listeners only
        }
        int room = maxBuffered - stdout.length() - stderr.length();
        if (data.length() <= room) {
            sb.append(data);
            return;
        }
        if (room > 0) {
            int end = Character.isHighSurrogate(data.charAt(room - 1)) ? room - 1 : room;
            sb.append(data, 0, end);
        }
        outputCut = true;
    }

    private void deliver(Stream stream, String line) {
        if (listeners.isEmpty()) {
            return;
        }
        callbacks.execute(() -> {
            for (OutputListener l : listeners) {
                l.line(stream, line);
            }
        });
    }

    void onCompleted(ProcessCompleted c) {
        stdoutLines.flush(line -> deliver(Stream.STDOUT, line));
        stderrLines.flush(line -> deliver(Stream.STDERR, line));
        ProcessEvent s = started.getNow(null);
        Duration timeoutUsed = s == null || s.timeout() == null ? null : Duration.ofNanos((long) (s.timeout() * 1e9));
        // The original server sends no reason: a clean status or no error text means it exited on its own.
        EndReason reason = c.reason() != null ? c.reason()
                : "completed".equals(c.status()) || c.error() == null ? EndReason.EXIT : EndReason.ERROR;
        CommandResult r = new CommandResult(executionId, pid, c.status(), c.exitCode(), reason,
                Duration.ofNanos((long) (c.executionTime() * 1e9)), stdout.toString(), stderr.toString(), outputCut,
                timeoutUsed, s == null ? null : s.timeoutSource(), clientTimedOut, c.error());
        started.complete(null);
        // After the listener calls already queued, so that a completed result means every line was seen.
        callbacks.execute(() -> {
            endListeners();
            result.complete(r);
        });
    }

    /** Fails the handle, unless it has already ended; returns whether it did fail. */
    boolean fail(CcxException e) {
        started.completeExceptionally(e);
        boolean failed = result.completeExceptionally(e);
        if (failed) {
            // Not waiting for the listeners: a stuck listener must not delay the failure.
            callbacks.execute(this::endListeners);
        }
        return failed;
    }

    /** Calls {@link OutputListener#end()} once per listener; runs on the serial executor only. */
    private void endListeners() {
        if (ended) {
            return;
        }
        ended = true;
        for (OutputListener l : listeners) {
            l.end();
        }
    }
}
