// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.OnDisconnect;
import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.log.LogStore;
import dev.ccx.server.observe.ServerObserver;
import dev.ccx.server.process.GroupLedger;
import dev.ccx.server.process.ProcessEngine;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import dev.ccx.server.timing.TaskKey;
import dev.ccx.server.timing.TimingService;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts executions within the limits, keeps track of every one of them, and ends them all on close.
 *
 * <p>Limits are taken with {@code tryAcquire}: at a limit the request fails at once with PROCESS_LIMIT, nothing is
 * queued. Both slots are returned by the execution itself just before its {@code process.completed} is appended.
 *
 * <p><b>Retention.</b> Every execution, running or ended, is found by id (for {@code attach}, {@code control},
 * {@code stdin}) only by connections with the credentials it was started with. An ended execution stays listable and
 * replayable for {@link Retention#retain()}, at most {@link Retention#maxRetained()} of them (the oldest goes
 * first); then its log is discarded.
 *
 * <p>Admission and shutdown exclude each other: an execute is admitted, spawned and registered under the read side
 * of a lock whose write side {@link #close()} takes to mark the service closing and take its snapshot. So an
 * execution either is in the snapshot (and is ended with it) or was never admitted.
 */
public final class ExecutionService implements Executions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionService.class);
    private static final SecureRandom IDS = new SecureRandom();
    private static final long CLOSE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long SETTLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SWEEP_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SWEEP_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final CommandPolicy policy;
    private final TimingService timing;
    private final boolean predictTimeouts;
    private final LogStore logs;
    private final Supervision sup;
    private final ScheduledExecutorService timer;
    private final ExecutorService background = Threads.virtualPerTask("exec-bg");
    private final int maxProcesses;
    private final Semaphore slots;
    private final Map<String, LocalExecution> running = new ConcurrentHashMap<>();
    /** Ended executions in the order they ended; guarded by itself, held for map operations only. */
    private final LinkedHashMap<String, Retained> retained = new LinkedHashMap<>();

    /** An ended execution and when it ended, on the monotonic clock. */
    private record Retained(LocalExecution execution, long endedNanos) {
    }
    private final Retention retention;
    private final IdempotencyKeys idempotency = new IdempotencyKeys();
    private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
    private boolean closing;

    /**
     * @param policy          what may run and how
     * @param timing          task keys, predicted timeouts, run history
     * @param predictTimeouts whether an execute without timeout gets one from history (else it runs unbounded)
     * @param engine          starts the processes; closed with this service
     * @param logs            where each execution's log lives
     * @param ledger          the on-disk record of running groups
     * @param maxProcesses    executions the whole server runs at once
     * @param grace           SIGTERM-to-SIGKILL grace period
     * @param maxLineBytes    longest output line delivered whole
     * @param retention       how long executions outlive their connection and their end
     * @param observer        told about spawns, output, signals and ends
     */
    public ExecutionService(CommandPolicy policy, TimingService timing, boolean predictTimeouts, ProcessEngine engine,
                            LogStore logs, GroupLedger ledger, int maxProcesses, Duration grace, int maxLineBytes,
                            Retention retention, ServerObserver observer) {
        this(policy, timing, predictTimeouts, logs, maxProcesses,
                new Supervision(Threads.scheduler("timer"), grace.toNanos(), maxLineBytes, engine, ledger, observer),
                retention);
    }

    ExecutionService(CommandPolicy policy, TimingService timing, boolean predictTimeouts, LogStore logs,
                     int maxProcesses, Supervision sup, Retention retention) {
        this.retention = retention;
        this.policy = policy;
        this.timing = timing;
        this.predictTimeouts = predictTimeouts;
        this.logs = logs;
        this.maxProcesses = maxProcesses;
        this.slots = new Semaphore(maxProcesses);
        this.sup = sup;
        this.timer = sup.timer();
        long sweep = Math.clamp(retention.retain().toNanos() / 10, SWEEP_MIN_NANOS, SWEEP_MAX_NANOS);
        try {
            timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // A timer that refuses tasks fails every execution with reason error; the count limit still applies.
            LOG.warn("the timer refused the retention sweep: ended executions go only at max_retained");
        }
    }

    /**
     * Ends the groups that a previous server, killed without a chance to clean up, left running. Call before
     * accepting connections.
     */
    public void endLeftovers() {
        List<GroupLedger.Leftover> leftovers = sup.ledger().claimLeftovers();
        for (GroupLedger.Leftover l : leftovers) {
            LOG.warn("ending process group {} left by a previous server (pid {}): {}", l.group().pgid(), l.owner(),
                    l.command());
            sup.signal(l.group(), Signal.TERM);
            sup.signal(l.group(), Signal.CONT);
        }
        if (!leftovers.isEmpty()) {
            sup.observer().leftoversEnded(leftovers.size());
            timer.schedule(() -> leftovers.forEach(l -> sup.signal(l.group(), Signal.KILL)), sup.graceNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }


    /**
     * Starts a command for {@code owner}. The returned execution is running, its {@code process.started} is in its
     * log, and its {@link LocalExecution#ownerCursor()} is held in front of it for the caller's reply.
     *
     * @throws ExecException for every reason the command cannot run
     */
    @Override
    public Started start(ExecOwner owner, ExecuteParams params) {
        if (params.require() != null && !params.require().isEmpty()) {
            throw new ExecException(ErrorCode.INVALID_PARAMS, "params.require picks cluster workers by label; this "
                    + "server is not part of a cluster (start it with --cluster)", Map.of("require", params.require()));
        }
        String key = params.idempotencyKey();
        if (key == null) {
            return new Started(execute(owner, params), false);
        }
        String id = newId();
        String first = idempotency.claim(owner.principal(), key, id);
        if (first != null) {
            return new Started(find(first, owner.principal()), true);
        }
        try {
            return new Started(execute(owner, params, id, 1), false);
        } catch (RuntimeException e) {
            idempotency.release(owner.principal(), key, id);
            throw e;
        }
    }

    /** Starts a command for {@code owner} under a new id; see {@link #start}. */
    public LocalExecution execute(ExecOwner owner, ExecuteParams params) {
        return execute(owner, params, newId(), 1);
    }

    /** A new execution id: 128 random bits in hex. */
    public static String newId() {
        return HexFormat.of().formatHex(randomBytes());
    }

    /**
     * Starts a command like {@link #execute(ExecOwner, ExecuteParams)}, under an id chosen by the caller (the
     * cluster's, placed from another node) and with its log numbered from {@code firstSeq} (a restart continues the
     * log of the run that was lost).
     */
    public LocalExecution execute(ExecOwner owner, ExecuteParams params, String id, long firstSeq) {
        Ownership ownership = ownership(owner, params);
        LaunchPlan plan = withTiming(policy.plan(params), params);
        if (!owner.tryAcquireSlot()) {
            throw new ExecException(ErrorCode.PROCESS_LIMIT, "A process is already running (max_processes_per_session="
                    + owner.slots() + ")", Map.of("limit", "max_processes_per_session", "max", owner.slots()));
        }
        boolean started = false;
        try {
            if (!slots.tryAcquire()) {
                throw new ExecException(ErrorCode.PROCESS_LIMIT, "The server is running its maximum of "
                        + maxProcesses + " processes (max_processes)",
                        Map.of("limit", "max_processes", "max", maxProcesses));
            }
            try {
                LocalExecution execution = admit(owner, ownership, plan, id, firstSeq);
                started = true;
                return execution;
            } finally {
                if (!started) {
                    slots.release();
                }
            }
        } finally {
            if (!started) {
                owner.releaseSlot();
            }
        }
    }

    private Ownership ownership(ExecOwner owner, ExecuteParams params) {
        boolean keep = params.onDisconnect() == OnDisconnect.KEEP;
        if (params.linger() == null) {
            return new Ownership(owner.principal(), keep, keep ? retention.linger() : null);
        }
        if (!keep) {
            throw new ExecException(ErrorCode.INVALID_PARAMS, "params.linger applies to kept executions only: "
                    + "add on_disconnect: \"keep\"");
        }
        Duration linger = Durations.ofSeconds(params.linger());
        if (linger.compareTo(retention.maxLinger()) > 0) {
            throw new ExecException(ErrorCode.INVALID_PARAMS, "params.linger is " + params.linger() + "s; this "
                    + "server allows at most " + Durations.seconds(retention.maxLinger()) + "s (max_linger)",
                    Map.of("max", Durations.seconds(retention.maxLinger())));
        }
        return new Ownership(owner.principal(), true, linger);
    }

    /**
     * The execution {@code id}, running or retained, if {@code principal} may see it.
     *
     * @throws ExecException NO_SUCH_PROCESS otherwise, with the same message whether the id is unknown or belongs to
     *                       other credentials, so ids cannot be probed
     */
    @Override
    public LocalExecution find(String id, String principal) {
        LocalExecution e = running.get(id);
        if (e == null) {
            synchronized (retained) {
                Retained r = retained.get(id);
                e = r == null ? null : r.execution();
            }
        }
        if (e == null || !e.ownership().principal().equals(principal)) {
            throw new ExecException(ErrorCode.NO_SUCH_PROCESS, "No execution " + id + " that this connection may "
                    + "see (unknown id, started with other credentials, or ended more than "
                    + retention.retain().toSeconds() + "s ago)");
        }
        return e;
    }

    /** What {@code executions} answers: running ones (oldest first), then retained ones (newest first). */
    @Override
    public ExecutionList list(String principal) {
        // Running first, retained second: an execution is put in retained before it leaves running, so whatever
        // ends meanwhile is in one of the two snapshots (or both, and is listed once, as ended).
        List<LocalExecution> live = running.values().stream().filter(e -> e.ownership().principal().equals(principal))
                .sorted(Comparator.comparingLong(LocalExecution::startedNanos)).toList();
        List<LocalExecution> ended;
        synchronized (retained) {
            ended = retained.values().stream().map(Retained::execution)
                    .filter(e -> e.ownership().principal().equals(principal)).toList();
        }
        Set<LocalExecution> endedSet = Set.copyOf(ended);
        List<ExecutionList.ExecutionInfo> out = new ArrayList<>();
        live.stream().filter(e -> !endedSet.contains(e)).map(LocalExecution::info).forEach(out::add);
        ended.reversed().stream().map(LocalExecution::info).forEach(out::add);
        return new ExecutionList(out);
    }

    private LocalExecution admit(ExecOwner owner, Ownership ownership, LaunchPlan plan, String id, long firstSeq) {
        admission.readLock().lock();
        try {
            if (closing) {
                throw new ExecException(ErrorCode.SHUTTING_DOWN, "The server is shutting down");
            }
            LocalExecution execution = new LocalExecution(id, owner, ownership, plan, sup,
                    logs.create(id, ownership.keep(), firstSeq), this::finished);
            running.put(id, execution);
            try {
                execution.launch();
            } catch (RuntimeException e) {
                running.remove(id);
                throw e;
            }
            LOG.info("start exec={} session={} pid={} keep={} command={}", id, owner.sessionId(), execution.pid(),
                    ownership.keep(), execution.shortCommand());
            execution.completion().thenAccept(done -> timing.record(timing.runRecord(plan.taskKey(),
                    done.executionTime(), done.exitCode(), done.reason(), Durations.seconds(plan.timeout()))));
            return execution;
        } finally {
            admission.readLock().unlock();
        }
    }

    private LaunchPlan withTiming(LaunchPlan plan, ExecuteParams params) {
        TaskKey key = timing.classify(params.command(), params.argv());
        return params.timeout() == null && predictTimeouts ? plan.predicted(timing.estimate(key))
                : plan.classified(key);
    }

    /**
     * An execution has ended: its slot is free, and its group record goes, off the supervision thread (or on it,
     * once the service has closed).
     */
    private void finished(LocalExecution execution) {
        retain(execution);
        running.remove(execution.id());
        slots.release();
        ProcessGroup group = execution.group();
        try {
            background.execute(() -> sup.ledger().forget(group));
        } catch (RejectedExecutionException e) {
            sup.ledger().forget(group);
        }
    }

    /** Keeps an ended execution for replay, and lets the oldest retained one go past the count limit. */
    private void retain(LocalExecution execution) {
        List<LocalExecution> gone = new ArrayList<>(1);
        synchronized (retained) {
            retained.put(execution.id(), new Retained(execution, System.nanoTime()));
            while (retained.size() > retention.maxRetained()) {
                Iterator<Retained> eldest = retained.values().iterator();
                gone.add(eldest.next().execution());
                eldest.remove();
            }
        }
        gone.forEach(e -> e.log().discard());
    }

    /**
     * Lets go of the executions that ended more than {@code retain} ago. The map is in the order they ended, so they
     * are at its head. One periodic task for all: a task per execution would keep each reachable for the whole
     * retention even after the count limit let it go.
     */
    private void sweep() {
        long now = System.nanoTime();
        long retain = retention.retain().toNanos();
        List<LocalExecution> gone = new ArrayList<>();
        synchronized (retained) {
            Iterator<Retained> it = retained.values().iterator();
            while (it.hasNext()) {
                Retained r = it.next();
                if (now - r.endedNanos() < retain) {
                    break;
                }
                gone.add(r.execution());
                it.remove();
            }
        }
        gone.forEach(e -> e.log().discard());
    }

    /** Executions running now, server-wide. */
    public int runningCount() {
        return running.size();
    }

    /** Connections following the running executions, counted once per execution they follow. */
    public int followerCount() {
        int n = 0;
        for (LocalExecution e : running.values()) {
            n += e.followerCount();
        }
        return n;
    }

    /** The global limit. */
    public int maxProcesses() {
        return maxProcesses;
    }

    /** The process engine in use: {@code native} or {@code jdk}. */
    public String engineName() {
        return sup.engine().name();
    }

    /**
     * Ends every execution with reason SHUTDOWN and waits, at most grace + 0.5 s, for their
     * {@code process.completed}; then kills whatever group is still there, stops the engine and the timer, and
     * closes the group journal.
     */
    @Override
    public void close() {
        List<LocalExecution> all;
        admission.writeLock().lock();
        try {
            closing = true;
            all = List.copyOf(running.values());
        } finally {
            admission.writeLock().unlock();
        }
        all.forEach(e -> e.end(EndReason.SHUTDOWN));
        long deadline = System.nanoTime() + sup.graceNanos() + CLOSE_MARGIN_NANOS;
        for (LocalExecution e : all) {
            if (!awaitSettled(e, deadline)) {
                LOG.warn("{} executions had not completed when shutdown stopped waiting; killing their groups",
                        running.size());
                break;
            }
        }
        for (LocalExecution e : running.values()) {
            ProcessGroup g = e.group();
            if (g != null) {
                sup.signal(g, Signal.KILL);
            }
            e.endUnsettled();
        }
        timer.shutdownNow();
        sup.engine().close();
        background.close();
        sup.ledger().close();
    }

    /**
     * Waits until {@code e} has completed, or its group is gone while its output is held back (its followers are so
     * far behind that it could not reach them before the server exits anyway); returns {@code false} at the deadline.
     */
    private static boolean awaitSettled(LocalExecution e, long deadlineNanos) {
        // completion(), not isFinished(): the end is decided a moment before process.completed is in the log, and
        // the connections are closed right after this wait (a client once got 1001 without its completion).
        while (!e.completion().isDone() && !(e.isHeldBack() && !e.group().isAlive())) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                e.completion().get(Math.min(left, SETTLE_POLL_NANOS), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
                     | java.util.concurrent.CancellationException ignored) {
                // look again
            }
        }
        return true;
    }

    /** 128 random bits: the id of a kept execution is all it takes to attach to it, so it cannot be guessed. */
    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        IDS.nextBytes(b);
        return b;
    }
}
