// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.ProcessError;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.OnDisconnect;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.StdinResult;
import dev.ccx.protocol.Wire;
import dev.ccx.server.exec.ExecOwner;
import dev.ccx.server.exec.Execution;
import dev.ccx.server.exec.Ownership;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.ExecutionLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An execution that runs on another node, as this node's connections see it: its log is a local mirror of the
 * execution's Redis stream, filled by the {@link LogTail}, so followers read it exactly like a local log, each at its
 * own pace; controls, stdin and the end go to the worker that runs it, as messages.
 *
 * <p>The worker counts this node as one follower while any connection here follows the execution ({@code follow}
 * and {@code unfollow} on the transitions), so a kept execution lingers only when no node follows it.
 *
 * <p>A control's result reaches the client when the worker has applied it; the notification it causes comes through
 * the stream and may arrive just before the result (on one server the result always comes first).
 */
final class RemoteExecution implements Execution, LogTail.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteExecution.class);
    /** How every notification frame starts ({@code Envelopes.Notification}'s fields in order). */
    private static final byte[] COMPLETED = "{\"jsonrpc\":\"2.0\",\"method\":\"process.completed\""
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STARTED = "{\"jsonrpc\":\"2.0\",\"method\":\"process.started\""
            .getBytes(StandardCharsets.US_ASCII);

    /** What a remote execution needs of the node it is mirrored on. */
    interface Link {
        /** The node running {@code id} now (a restart may have moved it). */
        String worker(String id, String fallback);

        /** Sends a request to {@code node} and waits (bounded) for its answer, or throws the error it answered. */
        JsonNode ask(String node, ObjectNode message);

        /** This node's id. */
        String self();

        /** Where requests that wait for a worker's answer run. */
        java.util.concurrent.Executor executor();

        /** Sends {@code message} to {@code node}, not waiting; a failure is logged. */
        void tell(String node, ObjectNode message);
    }

    private final String id;
    private final Ownership ownership;
    private final ExecOwner owner;
    private final ExecutionLog log;
    private final Cursor ownerCursor;
    private final Link link;
    private final String command;
    private final boolean stdin;
    private final double startedAt;
    private final AtomicInteger followers;
    private volatile String worker;
    private volatile long pid;
    private volatile ProcessCompleted completed;
    private volatile double endedAt;
    private volatile boolean stdinClosed;
    /** When the last follower here left (or the mirror was made), on the monotonic clock. */
    private volatile long idleSince = System.nanoTime();

    /**
     * @param owner the session here that started it, followed from the first seq; {@code null} when it is mirrored
     *              for {@code attach}
     */
    RemoteExecution(String id, String worker, Ownership ownership, ExecOwner owner, ExecutionLog log, Link link,
                    String command, boolean stdin, double startedAt) {
        this.id = id;
        this.worker = worker;
        this.ownership = ownership;
        this.owner = owner;
        this.log = log;
        this.link = link;
        this.command = command;
        this.stdin = stdin;
        this.startedAt = startedAt;
        this.ownerCursor = owner == null ? null : log.open(log.nextSeq(), owner::wake, true);
        this.followers = new AtomicInteger(owner == null ? 0 : 1);
    }

    // ---- the stream (the tail's thread) -------------------------------------------------------------------------

    @Override
    public boolean accept(long first, long last, byte[] data) {
        int at = 0;
        for (long seq = first; seq <= last; seq++) {
            int end = indexOf(data, at);
            if (end < 0 || end == data.length && seq != last) {
                LOG.warn("cluster: execution {}: an entry claims seq {}-{} but holds fewer frames", id, first, last);
                return true;
            }
            int from = at;
            at = end + 1;
            long next = log.nextSeq();
            if (seq < next) {
                continue; // already mirrored
            }
            if (seq > next) {
                return gap(next, seq);
            }
            byte[] frame = java.util.Arrays.copyOfRange(data, from, end);
            if (startsWith(frame, COMPLETED)) {
                ProcessCompleted done = Wire.mapper().treeToValue(Wire.mapper().readTree(frame).get("params"),
                        ProcessCompleted.class);
                completed = done;
                endedAt = System.currentTimeMillis() / 1000.0;
                if (owner != null) {
                    owner.finished(this); // its slot is free before the client can learn of the end
                }
                log.append(s -> frame);
                log.publish();
                log.end();
                caughtUp();
                return false;
            }
            if (pid == 0 && startsWith(frame, STARTED)) {
                pid = Wire.mapper().readTree(frame).path("params").path("pid").asLong();
            }
            log.append(s -> frame);
        }
        log.publish();
        caughtUp();
        return true;
    }

    /** The end of the frame starting at {@code from}: the next newline, or the end of the data. */
    private static int indexOf(byte[] data, int from) {
        if (from > data.length) {
            return -1;
        }
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        return data.length;
    }

    private static boolean startsWith(byte[] frame, byte[] prefix) {
        return frame.length >= prefix.length && java.util.Arrays.equals(frame, 0, prefix.length, prefix, 0,
                prefix.length);
    }

    /** Its followers here were more than the stream's bound behind: say so, in order, and stop. */
    private boolean gap(long next, long seq) {
        String why = "Node " + link.self() + " fell behind the cluster's stream of execution " + id
                + ", which no longer holds seq " + next + " to " + (seq - 1) + " (it keeps the newest "
                + (LogPublisher.MAX_BYTES >> 20) + " MiB, in about " + LogPublisher.MAX_ENTRIES
                + " entries at most); its whole log is on node " + worker + ": attach there";
        LOG.warn("cluster: {}", why);
        byte[] error = Wire.mapper().writeValueAsBytes(new Envelopes.Notification(Methods.PROCESS_ERROR,
                new ProcessError(why, id, next)));
        log.append(s -> error);
        log.publish();
        log.end();
        caughtUp();
        return false;
    }

    private synchronized void caughtUp() {
        notifyAll();
    }

    /**
     * Waits (at most {@code timeoutMillis}) until the mirror holds {@code seq}, what the stream held when a request
     * came, so that an {@code attach} from there finds it here.
     */
    synchronized void awaitSeq(long seq, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        try {
            while (log.nextSeq() <= seq && completed == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasRoom() {
        return log.hasRoom();
    }

    @Override
    public void whenRoom(Runnable task) {
        log.whenRoom(task);
    }

    // ---- what connections do ------------------------------------------------------------------------------------

    @Override
    public ControlResult control(ControlType type, Cursor requester) {
        JsonNode answer = link.ask(worker(), message("control").put("control", type.name()));
        return Wire.mapper().treeToValue(answer.get("result"), ControlResult.class);
    }

    @Override
    public CompletableFuture<StdinResult> stdin(byte[] bytes, boolean eof, Duration timeout, long maxPending) {
        ObjectNode m = message("stdin").put("data_base64", Base64.getEncoder().encodeToString(bytes)).put("eof", eof)
                .put("timeout_ms", timeout.toMillis());
        if (eof) {
            stdinClosed = true;
        }
        return CompletableFuture.supplyAsync(() -> Wire.mapper().treeToValue(link.ask(worker(), m).get("result"),
                StdinResult.class), link.executor());
    }

    @Override
    public boolean stdinOpen() {
        return stdin && !stdinClosed && completed == null;
    }

    @Override
    public void end(EndReason why) {
        if (completed == null) {
            link.tell(worker(), message("end").put("reason", why.name()));
        }
    }

    @Override
    public void followed() {
        if (followers.getAndIncrement() == 0) {
            link.tell(worker(), message("follow"));
        }
    }

    @Override
    public void unfollowed() {
        if (followers.decrementAndGet() == 0) {
            idleSince = System.nanoTime();
            if (completed == null) {
                link.tell(worker(), message("unfollow"));
            }
        }
    }

    private ObjectNode message(String type) {
        return Wire.mapper().createObjectNode().put("type", type).put("id", id)
                .put("principal", ownership.principal());
    }

    private String worker() {
        String w = link.worker(id, worker);
        worker = w;
        return w;
    }

    // ---- what it is ---------------------------------------------------------------------------------------------

    @Override
    public String id() {
        return id;
    }

    @Override
    public Ownership ownership() {
        return ownership;
    }

    @Override
    public ExecOwner owner() {
        return owner;
    }

    @Override
    public ExecutionLog log() {
        return log;
    }

    @Override
    public Cursor ownerCursor() {
        return ownerCursor;
    }

    /** The owner's cursor, if it was started here. */
    java.util.Optional<Cursor> ownerCursorOrNone() {
        return java.util.Optional.ofNullable(ownerCursor);
    }

    @Override
    public long pid() {
        return pid;
    }

    /** Sets the pid the worker answered with, before any frame has shown it. */
    void started(long startedPid) {
        if (pid == 0) {
            pid = startedPid;
        }
    }

    /** The node running it, as last learnt (a restart elsewhere is learnt at the next control; lists read it). */
    String node() {
        return worker;
    }

    @Override
    public boolean isFinished() {
        return completed != null;
    }

    @Override
    public ProcessCompleted completed() {
        return completed;
    }

    int followerCount() {
        return followers.get();
    }

    /** Whether nobody here has followed it for {@code nanos}: its mirror can go. */
    boolean idleFor(long nanos) {
        return followers.get() == 0 && System.nanoTime() - idleSince > nanos;
    }

    @Override
    public ExecutionList.ExecutionInfo info() {
        ProcessCompleted done = completed;
        return new ExecutionList.ExecutionInfo(id, command, done == null ? "running" : "completed", pid,
                ownership.keep() ? OnDisconnect.KEEP : OnDisconnect.KILL, stdinOpen(), startedAt,
                done == null ? null : endedAt, done == null ? null : done.reason(),
                done == null ? null : done.exitCode(), log.nextSeq() - 1, log.oldestSeq(), followers.get(), false,
                worker);
    }

    @Override
    public String shortCommand() {
        return command;
    }
}
