// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.ProcessError;
import dev.ccx.protocol.ProcessEvent;
import dev.ccx.protocol.ProcessOutput;
import dev.ccx.server.process.LineSplitter;
import dev.ccx.server.process.OutputPump;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running command: its process group, the two pumps draining its pipes, its timers, and the notifications
 * about it, each numbered with a per-execution {@code seq}.
 *
 * <p>Thread-safety: the pumps, the supervisor thread, the timer thread and the session's request thread all act
 * on an execution. Every state change and every notification happens under {@link #lock}, so notifications leave
 * in {@code seq} order, nothing follows {@code process.completed}, and the first of racing endings (exit, timeout,
 * cancel, disconnect, shutdown) is the one reported. {@code process.completed} is sent exactly once, by
 * {@link #finish()}, after both pipes reached end of file.
 */
public final class Execution {
    private static final Logger LOG = LoggerFactory.getLogger(Execution.class);

    private enum State { RUNNING, PAUSED, DONE }

    private final String id;
    private final ExecOwner owner;
    private final LaunchPlan plan;
    private final Process process;
    private final ProcessGroup group;
    private final Supervision sup;
    private final Consumer<Execution> onDone;
    private final long startNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final CompletableFuture<ProcessCompleted> completion = new CompletableFuture<>();
    private final OutputChunker stdoutChunker = new OutputChunker();
    private final OutputChunker stderrChunker = new OutputChunker();
    private final OutputPump stdout;
    private final OutputPump stderr;

    private volatile long lastOutputNanos;
    private long seq;
    private State state = State.RUNNING;
    private EndReason reason;
    private long stdoutLines;
    private long stderrLines;
    private ScheduledFuture<?> deadlineTimer;
    private ScheduledFuture<?> idleTimer;

    Execution(String id, ExecOwner owner, LaunchPlan plan, Process process, Supervision sup,
              Consumer<Execution> onDone) {
        this.id = id;
        this.owner = owner;
        this.plan = plan;
        this.process = process;
        this.group = new ProcessGroup(process.pid());
        this.sup = sup;
        this.onDone = onDone;
        this.startNanos = System.nanoTime();
        this.lastOutputNanos = startNanos;
        this.stdout = pump("stdout", process.getInputStream(), stdoutChunker);
        this.stderr = pump("stderr", process.getErrorStream(), stderrChunker);
    }

    /** The execution id. */
    public String id() {
        return id;
    }

    /** The leader's pid, which is also the pgid. */
    public long pid() {
        return process.pid();
    }

    /** The process group. */
    public ProcessGroup group() {
        return group;
    }

    /** Completes with the {@code process.completed} params once they have been sent. */
    public CompletableFuture<ProcessCompleted> completion() {
        return completion;
    }

    /** Sends {@code process.started}, starts draining and arms the timers. Call once, after the execute reply. */
    void start() {
        lock.lock();
        try {
            emit(Methods.PROCESS_STARTED, new ProcessEvent("started", pid(), pid(), null, null, id, ++seq,
                    seconds(plan.timeout()), seconds(plan.idleTimeout()), plan.timeoutSource(),
                    plan.expectedSeconds(), plan.taskKey() == null ? null : plan.taskKey().toString()));
            if (plan.timeout() > 0) {
                deadlineTimer = sup.timer().schedule(() -> end(EndReason.TIMEOUT), plan.timeout(),
                        TimeUnit.NANOSECONDS);
            }
            if (plan.idleTimeout() > 0) {
                idleTimer = sup.timer().schedule(this::checkIdle, plan.idleTimeout(), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
        stdout.start();
        stderr.start();
        Thread.ofVirtual().name("exec-" + id + "-supervisor").start(this::supervise);
    }

    /**
     * Applies a control. {@code acknowledge} sends the JSON-RPC result; it runs under the lock, so the client sees
     * the result, then the {@code process.paused|resumed|canceled} notification, and only then anything else.
     */
    public void control(ControlType type, Consumer<ControlResult> acknowledge) {
        lock.lock();
        try {
            if (state == State.DONE || reason != null) {
                throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "Execution " + id + " has already "
                        + (reason == EndReason.EXIT ? "exited" : "ended (" + reason.wire() + ")"));
            }
            switch (type) {
                case PAUSE -> {
                    requireState(State.RUNNING, "it is already paused");
                    group.signal(Signal.STOP);
                    state = State.PAUSED;
                    announce("paused", Methods.PROCESS_PAUSED, acknowledge);
                }
                case RESUME -> {
                    requireState(State.PAUSED, "it is not paused");
                    group.signal(Signal.CONT);
                    state = State.RUNNING;
                    lastOutputNanos = System.nanoTime(); // the idle clock does not run while paused
                    announce("resumed", Methods.PROCESS_RESUMED, acknowledge);
                }
                case CANCEL -> {
                    reason = EndReason.CANCELED;
                    announce("canceled", Methods.PROCESS_CANCELED, acknowledge);
                    terminate();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the execution for {@code why} unless it is already ending; returns whether this call ended it. */
    public boolean end(EndReason why) {
        lock.lock();
        try {
            if (reason != null) {
                return false;
            }
            reason = why;
            terminate();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void requireState(State expected, String because) {
        if (state != expected) {
            throw new ExecException(ErrorCode.INVALID_STATE,
                    "Cannot " + (expected == State.RUNNING ? "pause" : "resume") + " execution " + id + ": "
                            + because);
        }
    }

    private void announce(String status, String method, Consumer<ControlResult> acknowledge) {
        acknowledge.accept(new ControlResult(status, id));
        emit(method, ProcessEvent.control(status, pid(), id, ++seq));
    }

    /** SIGTERM (and SIGCONT) to the group now, SIGKILL after the grace period if anything is left. Idempotent. */
    private void terminate() {
        cancelTimers();
        signalQuietly(Signal.TERM);
        // A stopped process cannot act on SIGTERM until it is continued.
        signalQuietly(Signal.CONT);
        sup.timer().schedule(() -> {
            if (group.isAlive()) {
                signalQuietly(Signal.KILL);
            }
        }, sup.graceNanos(), TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        lock.lock();
        try {
            if (reason != null || state == State.DONE) {
                return;
            }
            long idleFor = System.nanoTime() - lastOutputNanos;
            long left = plan.idleTimeout() - idleFor;
            if (state == State.RUNNING && left <= 0) {
                reason = EndReason.IDLE_TIMEOUT;
                terminate();
            } else {
                idleTimer = sup.timer().schedule(this::checkIdle,
                        state == State.PAUSED ? plan.idleTimeout() : left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private void supervise() {
        try {
            process.waitFor();
            lock.lock();
            try {
                if (reason == null) {
                    reason = EndReason.EXIT;
                }
                cancelTimers();
            } finally {
                lock.unlock();
            }
            long drainMillis = TimeUnit.NANOSECONDS.toMillis(sup.graceNanos());
            if (!(stdout.await(drainMillis) && stderr.await(drainMillis))) {
                // The leader is gone but something it started still holds a pipe: end the rest of the group.
                terminate();
                if (!(stdout.await(drainMillis + 1000) && stderr.await(drainMillis + 1000))) {
                    LOG.warn("execution {}: output pipes still open after the group was killed; a descendant "
                            + "left the process group", id);
                }
            }
            if (group.isAlive()) {
                // Members that outlived the leader (background jobs, or stragglers still dying) are ended too,
                // and process.completed waits for them: when it arrives, nothing of the group is left.
                terminate();
                awaitGroupGone(TimeUnit.NANOSECONDS.toMillis(sup.graceNanos()) + 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("execution {}: supervision failed", id, e);
        } finally {
            finish();
        }
    }

    /**
     * Polls until the group has no member. There is no event for the death of processes that are not our
     * children, so this is a bounded poll; it normally ends within milliseconds, or at the SIGKILL escalation.
     */
    private void awaitGroupGone(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (group.isAlive()) {
            if (System.nanoTime() > deadline) {
                LOG.warn("execution {}: process group {} still has members after SIGKILL", id, group.pgid());
                return;
            }
            Thread.sleep(5);
        }
    }

    private void finish() {
        ProcessCompleted done;
        lock.lock();
        try {
            if (state == State.DONE) {
                return;
            }
            state = State.DONE;
            // Free the slots before the client can learn the execution is over, so its next execute fits.
            owner.unregister(this);
            onDone.accept(this);
            int exitCode = process.isAlive() ? -1 : process.exitValue();
            EndReason why = reason == null ? EndReason.ERROR : reason;
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            done = new ProcessCompleted(why == EndReason.EXIT && exitCode == 0 ? "completed" : "failed",
                    pid(), pid(), exitCode, describe(why), elapsed, id, ++seq, why, stdoutLines, stderrLines);
            emit(Methods.PROCESS_COMPLETED, done);
        } finally {
            lock.unlock();
        }
        LOG.info("end   exec={} session={} pid={} exit={} reason={} duration={}s lines={}/{}", id,
                owner.sessionId(), pid(), done.exitCode(), done.reason().wire(),
                String.format("%.3f", done.executionTime()), done.stdoutLines(), done.stderrLines());
        completion.complete(done);
    }

    private String describe(EndReason why) {
        return switch (why) {
            case EXIT -> null;
            case TIMEOUT -> "Timed out after " + seconds(plan.timeout()) + "s (timeout)";
            case IDLE_TIMEOUT -> "No output for " + seconds(plan.idleTimeout()) + "s (idle_timeout)";
            case CANCELED -> "Canceled by the client";
            case DISCONNECT -> "The client disconnected";
            case SHUTDOWN -> "The server shut down";
            case ERROR -> "Supervision failed; see process.error";
        };
    }

    private OutputPump pump(String type, java.io.InputStream in, OutputChunker chunker) {
        boolean isStdout = type.equals("stdout");
        LineSplitter splitter = new LineSplitter(sup.maxLineBytes(), (bytes, off, len, endsLine) -> {
            lock.lock();
            try {
                byte[] fast = endsLine && !chunker.inLongLine()
                        ? OutputJson.asciiLine(type, bytes, off, len, id, seq + 1) : null;
                if (fast != null) {
                    seq++;
                    owner.sendBatched(fast);
                } else {
                    chunker.line(bytes, off, len, endsLine, (data, truncated, index, total) ->
                            owner.notifyBatched(Methods.PROCESS_OUTPUT, new ProcessOutput(type, data, truncated,
                                    index, total, id, ++seq)));
                }
                if (endsLine) {
                    if (isStdout) {
                        stdoutLines++;
                    } else {
                        stderrLines++;
                    }
                }
            } finally {
                lock.unlock();
            }
        });
        return new OutputPump("exec-" + id + "-" + type, in, splitter, () -> lastOutputNanos = System.nanoTime(),
                owner::flush, e -> fail("reading " + type + " failed: " + e.getMessage()));
    }

    private void fail(String message) {
        lock.lock();
        try {
            if (state != State.DONE) {
                emit(Methods.PROCESS_ERROR, new ProcessError(message, id, ++seq));
            }
            if (reason == null) {
                reason = EndReason.ERROR;
                terminate();
            }
        } finally {
            lock.unlock();
        }
    }

    private void emit(String method, Object params) {
        owner.notify(method, params);
    }

    private void cancelTimers() {
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
    }

    private void signalQuietly(Signal signal) {
        try {
            group.signal(signal);
        } catch (IllegalStateException e) {
            LOG.warn("execution {}: {}", id, e.getMessage());
        }
    }

    private static Double seconds(long nanos) {
        return nanos > 0 ? nanos / 1e9 : null;
    }
}
