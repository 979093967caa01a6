// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.ExecuteResult;
import dev.ccx.server.process.GroupLedger;
import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import dev.ccx.server.process.Spawner;
import dev.ccx.server.timing.TaskKey;
import dev.ccx.server.timing.TimingService;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts executions within the limits, keeps track of every one of them, and ends them all on close.
 *
 * <p>Limits are taken with {@code tryAcquire}: at a limit the request fails at once with PROCESS_LIMIT, nothing is
 * queued. Slots are returned by the execution itself just before it sends {@code process.completed}.
 */
public final class ExecutionService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionService.class);
    private static final SecureRandom IDS = new SecureRandom();

    private final CommandPolicy policy;
    private final TimingService timing;
    private final boolean predictTimeouts;
    private final Spawner spawner;
    private final GroupLedger ledger;
    private final Supervision sup;
    private final ScheduledThreadPoolExecutor timer;
    private final int maxProcesses;
    private final Semaphore slots;
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    private volatile boolean closing;

    /**
     * @param policy          what may run and how
     * @param timing          task keys, predicted timeouts, run history
     * @param predictTimeouts whether an execute without timeout gets one from history (else it runs unbounded)
     * @param ledger       the on-disk record of running groups
     * @param maxProcesses executions the whole server runs at once
     * @param grace        SIGTERM-to-SIGKILL grace period
     * @param maxLineBytes longest output line delivered whole
     */
    public ExecutionService(CommandPolicy policy, TimingService timing, boolean predictTimeouts, GroupLedger ledger,
                            int maxProcesses, Duration grace, int maxLineBytes) {
        this.policy = policy;
        this.timing = timing;
        this.predictTimeouts = predictTimeouts;
        this.spawner = Spawner.locate();
        this.ledger = ledger;
        this.maxProcesses = maxProcesses;
        this.slots = new Semaphore(maxProcesses);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("ccx-timer").daemon(true)
                .uncaughtExceptionHandler((t, e) -> LOG.error("timer task failed", e)).unstarted(r));
        this.timer.setRemoveOnCancelPolicy(true);
        this.sup = new Supervision(timer, grace.toNanos(), maxLineBytes);
    }

    /**
     * Ends the groups that a previous server, killed without a chance to clean up, left running. Call before
     * accepting connections.
     */
    public void endLeftovers() {
        List<GroupLedger.Leftover> leftovers = ledger.claimLeftovers();
        for (GroupLedger.Leftover l : leftovers) {
            LOG.warn("ending process group {} left by a previous server (pid {}): {}", l.group().pgid(), l.owner(),
                    l.command());
            l.group().signal(Signal.TERM);
            l.group().signal(Signal.CONT);
        }
        if (!leftovers.isEmpty()) {
            timer.schedule(() -> leftovers.forEach(l -> l.group().signal(Signal.KILL)), sup.graceNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Runs a command for {@code owner}. {@code reply} receives the execute result, and is called before any
     * notification about the execution is sent.
     *
     * @throws ExecException for every reason the command cannot run
     */
    public void execute(ExecOwner owner, ExecuteParams params, Consumer<ExecuteResult> reply) {
        LaunchPlan plan = withTiming(policy.plan(params), params);
        if (closing) {
            throw new ExecException(ErrorCode.SHUTTING_DOWN, "The server is shutting down");
        }
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
                Execution execution = spawn(owner, plan);
                started = true;
                reply.accept(new ExecuteResult("started", execution.pid(), execution.pid(), execution.id()));
                execution.start();
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

    private LaunchPlan withTiming(LaunchPlan plan, ExecuteParams params) {
        TaskKey key = timing.classify(params.command(), params.argv());
        return params.timeout() == null && predictTimeouts ? plan.predicted(timing.estimate(key))
                : plan.classified(key);
    }

    private Execution spawn(ExecOwner owner, LaunchPlan plan) {
        Process process;
        try {
            process = spawner.spawn(plan.argv(), plan.cwd(), plan.env());
        } catch (IOException e) {
            throw new ExecException(ErrorCode.SPAWN_FAILED, "Cannot start '" + plan.display() + "': "
                    + e.getMessage());
        }
        String id = HexFormat.of().formatHex(randomBytes());
        Execution execution = new Execution(id, owner, plan, process, sup, this::release);
        execution.completion().thenAccept(done -> timing.record(timing.runRecord(plan.taskKey(),
                done.executionTime(), done.exitCode(), done.reason(), plan.timeout() > 0 ? plan.timeout() / 1e9 : null)));
        running.put(id, execution);
        owner.register(execution);
        ledger.record(execution.group(), plan.display());
        LOG.info("start exec={} session={} pid={} command={}", id, owner.sessionId(), process.pid(),
                abbreviate(plan.display()));
        return execution;
    }

    private void release(Execution execution) {
        running.remove(execution.id());
        slots.release();
        ProcessGroup group = execution.group();
        if (!group.isAlive()) {
            ledger.forget(group);
        } else {
            // Members are being killed; forget the record once the SIGKILL escalation has run.
            timer.schedule(() -> ledger.forget(group), sup.graceNanos() + 1, TimeUnit.NANOSECONDS);
        }
    }

    /** Executions running now, server-wide. */
    public int runningCount() {
        return running.size();
    }

    /** The global limit. */
    public int maxProcesses() {
        return maxProcesses;
    }

    /**
     * Ends every execution with reason SHUTDOWN and waits, at most grace + 0.5 s, for their
     * {@code process.completed} to be sent.
     */
    @Override
    public void close() {
        closing = true;
        List<Execution> all = List.copyOf(running.values());
        all.forEach(e -> e.end(EndReason.SHUTDOWN));
        try {
            CompletableFuture.allOf(all.stream().map(Execution::completion).toArray(CompletableFuture[]::new))
                    .get(sup.graceNanos() + TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{} executions had not completed when shutdown gave up waiting", running.size());
        }
        timer.shutdownNow();
        spawner.close();
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        IDS.nextBytes(b);
        return b;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
