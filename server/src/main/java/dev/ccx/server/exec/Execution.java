// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.ControlResult;
import dev.ccx.protocol.ControlType;
import dev.ccx.protocol.EndReason;
import dev.ccx.protocol.ExecutionList;
import dev.ccx.protocol.ProcessCompleted;
import dev.ccx.protocol.StdinResult;
import dev.ccx.server.log.Cursor;
import dev.ccx.server.log.ExecutionLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * An execution as connections see it: a log to follow, controls, stdin, an end. {@link LocalExecution} runs its
 * process on this server; the cluster's {@code RemoteExecution} stands for one that runs on another node, its log a
 * mirror of the one in Redis. Sessions and requests never need to know which.
 */
public interface Execution {

    /** The execution id. */
    String id();

    /** Who may see it, and what a lost connection does to it. */
    Ownership ownership();

    /** The session that started it, or {@code null} when it was started through another node or connection. */
    ExecOwner owner();

    /** The log every notification of the execution goes to. */
    ExecutionLog log();

    /** The owner's cursor: opened at the first {@code seq}, held there until the execute result is released. */
    Cursor ownerCursor();

    /** The leader's pid, which is also the pgid ({@code 0} while not known here). */
    long pid();

    /** Whether the end has been decided (its {@code process.completed} is in the log, or about to be). */
    boolean isFinished();

    /** The params of its {@code process.completed} once that is in the log, else {@code null}. */
    ProcessCompleted completed();

    /**
     * Applies a control. The notification it causes is placed after the result where that can be done ({@code
     * requester} held at it).
     */
    ControlResult control(ControlType type, Cursor requester);

    /** Writes to the process's stdin; see {@link LocalExecution#stdin}. */
    CompletableFuture<StdinResult> stdin(byte[] bytes, boolean eof, Duration timeout, long maxPending);

    /** Whether {@code stdin} requests can still be written. */
    boolean stdinOpen();

    /** Ends the execution for {@code why} unless it is already ending. */
    void end(EndReason why);

    /** Another connection follows the execution. */
    void followed();

    /** A connection stopped following it. */
    void unfollowed();

    /** What {@code executions} lists about it. */
    ExecutionList.ExecutionInfo info();

    /** The command as the client wrote it, shortened for lists. */
    String shortCommand();
}
