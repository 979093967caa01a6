// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.OnDisconnect;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.ProcessError;
import dev.ccx.protocol.ProcessEvent;
import dev.ccx.protocol.StdinResult;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.ExecutionLog;
import dev.ccx.server.observe.ExecutionSummary;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.ProcessListener;
import dev.ccx.server.process.RunningProcess;
import dev.ccx.server.process.Signal;
import dev.ccx.server.process.SpawnException;
import dev.ccx.server.process.SpawnRequest;
import dev.ccx.server.process.StdStream;
import dev.ccx.server.process.StdinWrite;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command, from spawn to {@code process.completed}: its process group, its timers, and its {@link ExecutionLog},
 * into which every notification about it goes. It never sends anything itself and never waits for a client: each
 * follower reads the log at its own pace.
 *
 * <p><b>How it ends is decided once.</b> The first reason to end (exit, timeout, idle timeout, cancel, disconnect,
 * shutdown, error) wins a compare-and-set; the group then gets SIGTERM and SIGCONT, and SIGKILL after the grace
 * period if anything is left. {@code process.completed} is appended exactly once, by {@link #finish()}, when the
 * leader has exited, both pipes have reached end of file, and the group is gone (or the bounded waits for these
 * have run out). Whatever fails on the way (the spawn is interrupted, the timer refuses a task, a thread cannot be
 * made, a pipe cannot be read) ends the group with reason {@code error} unless another reason came first, and still
 * leads to exactly one completion, with both slots released. The shape is zt-exec's {@code WaitForProcess}.
 *
 * <p><b>Threads.</b> The engine's threads report output and the exit, the timer thread runs deadlines and
 * escalations, request threads call {@link #control} and {@link #end}. A {@link ReentrantLock} orders pause,
 * resume, cancel, termination and the last appends; it is held only while signals are sent and frames are
 * appended, never while anything waits, so a timer or a cancel never queues behind a slow client.
 */
public final class LocalExecution implements Execution, ProcessListener {
    private static final Logger LOG = LoggerFactory.getLogger(LocalExecution.class);
    private static final long GROUP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long AFTER_KILL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long HELD_REPORT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long WITHDRAW_CONFIRM_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String id;
    private final ExecOwner owner;
    private final Ownership ownership;
    private final LaunchPlan plan;
    private final Supervision sup;
    private final ExecutionLog log;
    private final Cursor ownerCursor;
    private final Consumer<LocalExecution> onFinished;
    private final StreamEncoder[] encoders;
    /** Bytes read per stream; each written by its stream's reader only, read at the end. */
    private final long[] bytesRead = new long[2];
    private final ServerObserver observer;
    private final AtomicReference<EndReason> reason = new AtomicReference<>();
    /** Conditions left before the end: stdout closed, stderr closed, exited. */
    private final AtomicInteger pending = new AtomicInteger(3);
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Streams not being read because the log is full. */
    private final AtomicInteger held = new AtomicInteger();
    /** Counts holds, so the check that reports a long one knows whether it is still the same one. */
    private final AtomicLong holds = new AtomicLong();
    /** One check of a long hold is scheduled at a time, however often the process is held and let go. */
    private final AtomicBoolean holdCheck = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final CompletableFuture<ProcessCompleted> completion = new CompletableFuture<>();
    /**
     * The params of {@code process.completed}, set while it is appended, under the log's lock: a client that has
     * read it finds the execution completed ({@link #completion()} completes a moment later).
     */
    private volatile ProcessCompleted completed;

    private volatile RunningProcess process;
    private volatile ProcessGroup group;
    private volatile boolean paused;
    private volatile long lastOutputNanos;
    private volatile int exitCode = -1;
    private long startNanos;
    private final long startedAtMillis = System.currentTimeMillis();
    private volatile long endedAtMillis;
    private ScheduledFuture<?> deadline;
    private ScheduledFuture<?> idle;
    /** Connections following the execution now. */
    private final AtomicInteger followers = new AtomicInteger();
    /** Ends a kept execution nobody follows; under the lock. */
    private ScheduledFuture<?> lingering;
    /** Bytes handed to the stdin pipe and not yet in it. */
    private final AtomicLong stdinPending = new AtomicLong();
    /** Set once {@code eof} has been asked for: nothing more may be written. */
    private final AtomicBoolean stdinClosed = new AtomicBoolean();

    LocalExecution(String id, ExecOwner owner, Ownership ownership, LaunchPlan plan, Supervision sup, ExecutionLog log,
                   Consumer<LocalExecution> onFinished) {
        this.id = id;
        this.owner = owner;
        this.ownership = ownership;
        this.plan = plan;
        this.sup = sup;
        this.log = log;
        this.onFinished = onFinished;
        this.observer = sup.observer();
        this.encoders = new StreamEncoder[] {
            new StreamEncoder(StdStream.STDOUT, id, sup.maxLineBytes(), log,
                    plan.kind().equals("claude") ? observer.claudeStdout() : null),
            new StreamEncoder(StdStream.STDERR, id, sup.maxLineBytes(), log, null)};
        // Opened before anything is appended, held until the execute result is placed in front of process.started.
        this.ownerCursor = log.open(log.nextSeq(), owner::wake, true);
        followers.set(1);
    }

    /** When it was launched, on the monotonic clock: the order of starts, to the nanosecond. */
    long startedNanos() {
        return startNanos;
    }

    /** Who may see it, and what a lost connection does to it. */
    public Ownership ownership() {
        return ownership;
    }

    /** The log every notification of the execution goes to, for followers that attach. */
    public ExecutionLog log() {
        return log;
    }

    /** The session that started it. */
    public ExecOwner owner() {
        return owner;
    }

    /** The execution id. */
    public String id() {
        return id;
    }

    /** The leader's pid, which is also the pgid. */
    public long pid() {
        return group.pgid();
    }

    /** The process group. */
    public ProcessGroup group() {
        return group;
    }

    /** The owner's cursor: opened at {@code seq} 1, held there until the execute result is released into it. */
    public Cursor ownerCursor() {
        return ownerCursor;
    }

    /** Whether output is waiting in a pipe because the log is full (the followers are far behind). */
    public boolean isHeldBack() {
        return held.get() > 0;
    }

    /**
     * Whether the end has been decided and the owner told (or the spawn failed); {@code process.completed} is
     * appended right after, under the same lock: wait for {@link #completion()} to know it is in the log.
     */
    public boolean isFinished() {
        return finished.get();
    }

    /** Completes with the {@code process.completed} params once they have been appended. */
    public CompletableFuture<ProcessCompleted> completion() {
        return completion;
    }

    /** The params of its {@code process.completed} once that is in the log, else {@code null}. */
    public ProcessCompleted completed() {
        return completed;
    }

    /**
     * Spawns the process and arms the timers.
     *
     * @throws ExecException SPAWN_FAILED when the process could not be started; nothing is left behind then
     */
    void launch() {
        startNanos = System.nanoTime();
        lastOutputNanos = startNanos;
        try {
            sup.engine().spawn(new SpawnRequest(plan.program(), plan.argv(), plan.cwd(), plan.env(), plan.stdin()),
                    this);
        } catch (SpawnException e) {
            abandon();
            throw new ExecException(ErrorCode.SPAWN_FAILED, "Cannot start '" + plan.display() + "': "
                    + e.getMessage());
        }
        if (Thread.currentThread().isInterrupted()) {
            fail("the request was interrupted while its process was being started");
        }
        armTimers();
    }

    /**
     * Applies a control. The notification it causes is appended with {@code requester} held at it, so the caller
     * can place the result in front of it ({@link Cursor#release}).
     *
     * @throws ExecException NO_SUCH_PROCESS when the execution has ended or is ending, INVALID_STATE for a pause
     *                       while paused or a resume while running
     */
    public ControlResult control(ControlType type, Cursor requester) {
        lock.lock();
        try {
            EndReason ending = reason.get();
            if (ending != null || finished.get()) {
                throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "Execution " + id + " has already "
                        + (ending == EndReason.EXIT ? "exited" : ending == null ? "ended"
                        : "ended (" + ending.wire() + ")"));
            }
            return switch (type) {
                case PAUSE -> {
                    requireState(false, "pause", "it is already paused");
                    sup.signal(group, Signal.STOP);
                    paused = true;
                    yield announce("paused", Methods.PROCESS_PAUSED, requester);
                }
                case RESUME -> {
                    requireState(true, "resume", "it is not paused");
                    sup.signal(group, Signal.CONT);
                    paused = false;
                    lastOutputNanos = System.nanoTime(); // the idle clock does not run while paused
                    yield announce("resumed", Methods.PROCESS_RESUMED, requester);
                }
                case CANCEL -> {
                    if (!reason.compareAndSet(null, EndReason.CANCELED)) {
                        throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "Execution " + id + " is already ending ("
                                + reason.get().wire() + ")");
                    }
                    ControlResult result = announce("canceled", Methods.PROCESS_CANCELED, requester);
                    terminate();
                    yield result;
                }
            };
        } finally {
            lock.unlock();
        }
    }

    // ---- followers ----------------------------------------------------------------------------------------------

    /** Another connection follows the execution: a kept one no longer lingers. */
    public void followed() {
        lock.lock();
        try {
            followers.incrementAndGet();
            if (lingering != null) {
                lingering.cancel(false);
                lingering = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A connection stopped following (detached, or its connection is gone). A kept execution that nobody follows
     * any more starts to linger: it ends with reason {@code abandoned} unless somebody attaches within its linger.
     */
    public void unfollowed() {
        lock.lock();
        try {
            if (followers.decrementAndGet() == 0 && ownership.keep() && reason.get() == null && !finished.get()) {
                lingering = schedule(ownership.linger().toNanos(), this::lingerOver, null);
            }
        } finally {
            lock.unlock();
        }
    }

    private void lingerOver() {
        lock.lock();
        try {
            if (followers.get() == 0) {
                LOG.info("execution {}: nobody attached within its linger of {}s; ending it", id,
                        Durations.seconds(ownership.linger()));
                end(EndReason.ABANDONED);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Connections following it now. */
    public int followerCount() {
        return followers.get();
    }

    /** What {@code executions} lists about it. */
    public ExecutionList.ExecutionInfo info() {
        ProcessCompleted done = completed;
        ProcessGroup g = group;
        return new ExecutionList.ExecutionInfo(id, shortCommand(), done == null ? "running" : "completed",
                g == null ? 0 : g.pgid(), ownership.keep() ? OnDisconnect.KEEP : OnDisconnect.KILL, stdinOpen(),
                startedAtMillis / 1000.0, done == null ? null : endedAtMillis / 1000.0,
                done == null ? null : done.reason(), done == null ? null : done.exitCode(), log.nextSeq() - 1,
                log.oldestSeq(), followers.get(), paused && done == null);
    }

    /** Whether {@code stdin} requests can still be written: a pipe was asked for, not closed, the process alive. */
    public boolean stdinOpen() {
        return plan.stdin() && !stdinClosed.get() && reason.get() == null;
    }

    // ---- stdin --------------------------------------------------------------------------------------------------

    /**
     * Writes {@code bytes} to the process's stdin, then closes it when {@code eof}. The future completes with the
     * result once the bytes are in the pipe; it fails with STDIN_TIMEOUT when the process has not taken them within
     * {@code timeout} (the rest is withdrawn), with STDIN_CLOSED when the pipe is or gets closed.
     *
     * @throws ExecException STDIN_CLOSED (no pipe, closed, or ended), STDIN_FULL (more than {@code maxPending}
     *                       bytes would wait for the process)
     */
    public CompletableFuture<StdinResult> stdin(byte[] bytes, boolean eof, Duration timeout, long maxPending) {
        if (!plan.stdin()) {
            throw new ExecException(ErrorCode.STDIN_CLOSED, "Execution " + id + " has no stdin: it was started "
                    + "without stdin: true (its stdin is /dev/null)");
        }
        if (reason.get() != null || finished.get()) {
            throw new ExecException(ErrorCode.STDIN_CLOSED, "Execution " + id + " has ended; its stdin is closed");
        }
        long pending = stdinPending.addAndGet(bytes.length);
        if (pending > maxPending && bytes.length > 0) {
            stdinPending.addAndGet(-bytes.length);
            throw new ExecException(ErrorCode.STDIN_FULL, "Execution " + id + " has " + (pending - bytes.length)
                    + " bytes of stdin waiting for the process to read them; " + bytes.length + " more would pass the "
                    + "bound of " + maxPending + ". Wait for earlier stdin requests to be answered",
                    Map.of("pending", pending - bytes.length, "max", maxPending));
        }
        if (eof ? !stdinClosed.compareAndSet(false, true) : stdinClosed.get()) {
            stdinPending.addAndGet(-bytes.length);
            throw new ExecException(ErrorCode.STDIN_CLOSED, "The stdin of execution " + id
                    + " is closed (eof was sent)");
        }
        RunningProcess p = process;
        StdinWrite write = bytes.length == 0 ? null : p.writeStdin(bytes);
        if (eof) {
            p.closeStdin();
        }
        if (write == null) {
            stdinPending.addAndGet(-bytes.length);
            return CompletableFuture.completedFuture(new StdinResult(id, 0, eof));
        }
        CompletableFuture<StdinResult> result = new CompletableFuture<>();
        write.done().whenComplete((v, e) -> {
            stdinPending.addAndGet(-bytes.length);
            if (e == null) {
                result.complete(new StdinResult(id, bytes.length, eof));
            } else if (write.isWithdrawn()) {
                // The deadline withdrew it, and the engine confirmed that before the timer replied.
                result.completeExceptionally(notRead(write, timeout));
            } else {
                result.completeExceptionally(new ExecException(ErrorCode.STDIN_CLOSED, "The stdin of execution " + id
                        + " was closed after " + write.written() + " of " + bytes.length + " bytes were written ("
                        + e.getMessage() + ")", Map.of("written", write.written())));
            }
        });
        ScheduledFuture<?> timer = schedule(timeout.toNanos(), () -> {
            if (!write.done().isDone()) {
                // The engine confirms the withdrawal with the exact count (the native one at once, on its poller);
                // an engine blocked in a write cannot, and the count is taken a moment later instead.
                p.withdrawStdin(write);
                schedule(WITHDRAW_CONFIRM_NANOS, () -> result.completeExceptionally(notRead(write, timeout)),
                        () -> result.completeExceptionally(notRead(write, timeout)));
            }
        }, () -> p.withdrawStdin(write));
        if (timer != null) {
            result.whenComplete((r, e) -> timer.cancel(false));
        }
        return result;
    }

    /** The error for a stdin write the process did not take within {@code timeout}: the rest is withdrawn. */
    private ExecException notRead(StdinWrite write, Duration timeout) {
        int written = write.written();
        return new ExecException(ErrorCode.STDIN_TIMEOUT, "The process of execution " + id + " did not read its "
                + "stdin: " + written + " of " + write.bytes().length + " bytes were written within "
                + Durations.seconds(timeout) + "s (stdin_timeout); the rest was withdrawn", Map.of("written", written));
    }

    /** Ends the execution for {@code why} unless it is already ending. */
    @Override
    public void end(EndReason why) {
        if (reason.compareAndSet(null, why)) {
            terminate();
        }
    }

    private void requireState(boolean wantPaused, String verb, String because) {
        if (paused != wantPaused) {
            throw new ExecException(ErrorCode.INVALID_STATE, "Cannot " + verb + " execution " + id + ": " + because);
        }
    }

    private ControlResult announce(String status, String method, Cursor requester) {
        long pid = group.pgid();
        log.append(seq -> Notifications.encode(method, ProcessEvent.control(status, pid, id, seq)), requester);
        log.publish();
        return new ControlResult(status, id);
    }

    // ---- the process reports (engine threads; never block) ------------------------------------------------------

    @Override
    public void started(RunningProcess spawned) {
        long spawnNanos = System.nanoTime() - startNanos;
        process = spawned;
        long pid = spawned.pid();
        group = new ProcessGroup(pid);
        sup.ledger().record(group, plan.display());
        // Counted before a client can see process.started, so a scrape after it always includes this one.
        observer.executionStarted(plan.kind(), spawnNanos);
        log.append(seq -> Notifications.encode(Methods.PROCESS_STARTED, new ProcessEvent("started", pid, pid, null,
                null, id, seq, Durations.seconds(plan.timeout()), Durations.seconds(plan.idleTimeout()),
                plan.timeoutSource(), plan.expectedSeconds(), plan.taskKey() == null ? null
                : plan.taskKey().toString())));
        log.publish();
        if (reason.get() != null) {
            terminate(); // ended (shutdown, disconnect) before the process existed
        }
    }

    @Override
    public boolean output(StdStream stream, byte[] bytes, int offset, int length) {
        if (finished.get()) {
            return true;
        }
        lastOutputNanos = System.nanoTime();
        StreamEncoder encoder = encoders[stream.ordinal()];
        long linesBefore = encoder.lines();
        encoder.feed(bytes, offset, length);
        bytesRead[stream.ordinal()] += length;
        observer.output(stream, length, (int) (encoder.lines() - linesBefore));
        log.publish();
        if (log.hasRoom()) {
            return true;
        }
        // Every follower is far behind: stop reading, so the process is held back by its own pipe.
        held.incrementAndGet();
        checkHoldLater(holds.incrementAndGet());
        log.whenRoom(() -> {
            lastOutputNanos = System.nanoTime();
            held.decrementAndGet();
            process.resume(stream);
        });
        return false;
    }

    @Override
    public void closed(StdStream stream, IOException failure) {
        if (!finished.get()) {
            encoders[stream.ordinal()].finish();
            log.publish();
            if (failure != null) {
                fail("reading " + stream.wire() + " failed: " + failure.getMessage());
            }
        }
        conditionMet();
    }

    @Override
    public void exited(int code) {
        exitCode = code;
        reason.compareAndSet(null, EndReason.EXIT);
        lock.lock();
        try {
            cancelTimers();
        } finally {
            lock.unlock();
        }
        if (pending.get() > 1) {
            // Something the leader started still holds a pipe: give it the grace period to finish writing.
            schedule(sup.graceNanos(), this::drainOverdue, this::drainOverdue);
        }
        conditionMet();
    }

    /**
     * The leader is gone and its pipes are still open a grace period later. Members of the group that outlived it
     * are ended; if the pipes are still open after that, something outside the group holds them.
     */
    private void drainOverdue() {
        if (finished.get() || pending.get() == 0) {
            return;
        }
        if (group.isAlive()) {
            terminate();
        }
        schedule(sup.graceNanos() + AFTER_KILL_NANOS, this::closePipes, this::closePipes);
    }

    /**
     * Stops reading pipes that a process outside the group holds open, so the end can come. A pipe that is only
     * open because its log is full (its followers are behind) is not such a pipe: its bytes are output the
     * followers will get, so it is looked at again later instead.
     */
    private void closePipes() {
        if (finished.get() || pending.get() == 0) {
            return;
        }
        if (held.get() > 0) {
            schedule(sup.graceNanos() + AFTER_KILL_NANOS, this::closePipes, null);
            return;
        }
        LOG.warn("execution {}: output pipes still open after the group was killed; a descendant left the "
                + "process group", id);
        process.closeOutput();
    }

    private void conditionMet() {
        if (pending.decrementAndGet() == 0) {
            if (group.isAlive()) {
                // Members that outlived the leader (background jobs, stragglers still dying) are ended too, and
                // process.completed waits for them: when it arrives, nothing of the group is left.
                terminate();
                awaitGroupGone(System.nanoTime() + sup.graceNanos() + AFTER_KILL_NANOS);
            } else {
                finish();
            }
        }
    }

    /**
     * Checks every few milliseconds, on the timer, until the group has no member. There is no event for the death
     * of processes that are not our children, so this is a bounded poll; it normally ends within milliseconds, or at
     * the SIGKILL escalation.
     */
    private void awaitGroupGone(long deadlineNanos) {
        if (!group.isAlive()) {
            finish();
        } else if (System.nanoTime() - deadlineNanos > 0) {
            LOG.warn("execution {}: process group {} still has members after SIGKILL", id, group.pgid());
            finish();
        } else {
            schedule(GROUP_POLL_NANOS, () -> awaitGroupGone(deadlineNanos), this::finish);
        }
    }

    // ---- timers -------------------------------------------------------------------------------------------------

    private void armTimers() {
        lock.lock();
        try {
            if (reason.get() != null || finished.get()) {
                return;
            }
            if (plan.timeout() != null) {
                deadline = schedule(plan.timeout().toNanos(), () -> end(EndReason.TIMEOUT), null);
            }
            if (plan.idleTimeout() != null) {
                idle = schedule(plan.idleTimeout().toNanos(), this::checkIdle, null);
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkIdle() {
        lock.lock();
        try {
            if (reason.get() != null || finished.get()) {
                return;
            }
            long idleNanos = plan.idleTimeout().toNanos();
            if (paused || held.get() > 0) {
                // Paused: it cannot write. Held back: its pipe is full, so it is not idle.
                idle = schedule(idleNanos, this::checkIdle, null);
                return;
            }
            long left = idleNanos - (System.nanoTime() - lastOutputNanos);
            if (left <= 0) {
                end(EndReason.IDLE_TIMEOUT);
            } else {
                idle = schedule(left, this::checkIdle, null);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A process held back this long has followers that read nothing (or far less than it writes): say so once, with
     * the log's state, so an operator can tell a stalled client from a stalled server.
     */
    private void checkHoldLater(long hold) {
        if (holdCheck.compareAndSet(false, true)) {
            schedule(HELD_REPORT_NANOS, () -> reportHeld(hold), () -> holdCheck.set(false));
        }
    }

    private void reportHeld(long hold) {
        holdCheck.set(false);
        if (held.get() == 0 || finished.get()) {
            return;
        }
        if (holds.get() == hold) {
            LOG.warn("execution {}: its process has been held back for {} s, its followers have not read its output;"
                    + " log: {}", id, TimeUnit.NANOSECONDS.toSeconds(HELD_REPORT_NANOS), log);
        } else {
            checkHoldLater(holds.get()); // held again since: give the new hold its own time
        }
    }

    /**
     * Schedules {@code task} on the timer. If the timer refuses it (it is shut down), {@code ifRefused} runs now
     * instead, or, when there is none, the execution ends with reason {@code error}.
     */
    private ScheduledFuture<?> schedule(long nanos, Runnable task, Runnable ifRefused) {
        try {
            return sup.timer().schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            if (ifRefused != null) {
                ifRefused.run();
            } else {
                fail("the timer refused a task (" + e.getMessage() + ")");
            }
            return null;
        }
    }

    /** Cancels the timers and lets go of them: a retained execution keeps no task. Under the lock. */
    private void cancelTimers() {
        for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {lingering, deadline, idle}) {
            if (t != null) {
                t.cancel(false);
            }
        }
        lingering = null;
        deadline = null;
        idle = null;
    }

    // ---- the end ------------------------------------------------------------------------------------------------

    /** SIGTERM (and SIGCONT) to the group now, SIGKILL after the grace period if anything is left. */
    private void terminate() {
        lock.lock();
        try {
            cancelTimers();
            ProcessGroup g = group;
            if (g == null || finished.get()) {
                return;
            }
            signalQuietly(g, Signal.TERM);
            // A stopped process cannot act on SIGTERM until it is continued.
            signalQuietly(g, Signal.CONT);
            schedule(sup.graceNanos(), () -> {
                if (g.isAlive()) {
                    signalQuietly(g, Signal.KILL);
                }
            }, () -> signalQuietly(g, Signal.KILL));
        } finally {
            lock.unlock();
        }
    }

    /** Appends {@code process.error}, then ends the execution with reason {@code error} unless another came first. */
    private void fail(String message) {
        lock.lock();
        try {
            if (!finished.get()) {
                log.append(seq -> Notifications.encode(Methods.PROCESS_ERROR, new ProcessError(message, id, seq)));
                log.publish();
            }
        } finally {
            lock.unlock();
        }
        LOG.warn("execution {}: {}", id, message);
        end(EndReason.ERROR);
    }

    private void finish() {
        lock.lock();
        try {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            cancelTimers();
            endedAtMillis = System.currentTimeMillis();
            // The slots are free before the client can learn that the execution is over, so its next one fits.
            owner.finished(this);
            onFinished.accept(this);
            EndReason why = reason.get() == null ? EndReason.ERROR : reason.get();
            long pid = group.pgid();
            int code = exitCode;
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            long out = encoders[0].lines();
            long err = encoders[1].lines();
            String status = why == EndReason.EXIT && code == 0 ? "completed" : "failed";
            // Reported before process.completed is in the log: whoever has read it finds the end counted.
            observer.executionFinished(summary(why, code, elapsed, pid));
            long seq = log.append(s -> Notifications.encode(Methods.PROCESS_COMPLETED, completed =
                    new ProcessCompleted(status, pid, pid, code, describe(why), elapsed, id, s, why, out, err)));
            if (completed == null) {
                // The log was closed first (the server is stopping): nobody reads it, the record still counts.
                completed = new ProcessCompleted(status, pid, pid, code, describe(why), elapsed, id, seq, why, out,
                        err);
            }
            log.end();
        } finally {
            lock.unlock();
        }
        ProcessCompleted done = completed;
        LOG.info("end   exec={} session={} pid={} exit={} reason={} duration={}s lines={}/{}", id,
                owner.sessionId(), done.pid(), done.exitCode(), done.reason().wire(),
                String.format("%.3f", done.executionTime()), done.stdoutLines(), done.stderrLines());
        completion.complete(done);
    }

    private ExecutionSummary summary(EndReason why, int code, double elapsed, long pid) {
        return new ExecutionSummary(id, owner.sessionId(), ownership.principal(), owner.remote(), plan.kind(),
                plan.fromCommand() ? plan.display() : null, plan.fromCommand() ? null : plan.argv(),
                plan.cwd().toString(), pid, why, code, elapsed, bytesRead[0], bytesRead[1], startedAtMillis,
                endedAtMillis);
    }

    /**
     * The server stops and this execution's end never came: its group is gone, but output its followers have not
     * read is still in its pipe, held back. It ends now like any other (the reason it was given, {@code shutdown}):
     * {@code process.completed} goes into its log after what the log holds, the slots are free, and it is counted
     * and audited. What stayed in the pipe is lost with the server.
     */
    void endUnsettled() {
        if (group != null) { // null only while a spawn is still under way, which the admission lock rules out here
            finish();
        }
    }

    /** The spawn failed: nothing was shown to anyone, so nothing is left (the group record, the log). */
    private void abandon() {
        finished.set(true);
        ownerCursor.close();
        ProcessGroup g = group;
        if (g != null) {
            sup.ledger().forget(g);
        }
        log.end();
        completion.cancel(false);
    }

    private String describe(EndReason why) {
        return switch (why) {
            case EXIT -> null;
            case TIMEOUT -> "Timed out after " + Durations.seconds(plan.timeout()) + "s (timeout)";
            case IDLE_TIMEOUT -> "No output for " + Durations.seconds(plan.idleTimeout()) + "s (idle_timeout)";
            case CANCELED -> "Canceled by the client";
            case DISCONNECT -> "The client disconnected";
            case ABANDONED -> "Nobody attached within its linger of " + Durations.seconds(ownership.linger()) + "s";
            case SHUTDOWN -> "The server shut down";
            case WORKER_LOST -> "The cluster lost the worker running it";
            case ERROR -> "Supervision failed; see process.error";
        };
    }

    /** The command as the client wrote it, shortened to 200 characters, for lists. */
    public String shortCommand() {
        String s = plan.display();
        return s.length() <= 200 ? s : s.substring(0, 199) + "\u2026";
    }

    private void signalQuietly(ProcessGroup g, Signal signal) {
        try {
            sup.signal(g, signal);
        } catch (IllegalStateException e) {
            LOG.warn("execution {}: {}", id, e.getMessage());
        }
    }
}
