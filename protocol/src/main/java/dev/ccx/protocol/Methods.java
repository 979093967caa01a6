// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/** JSON-RPC method names: requests a client sends, and notifications the server sends. */
public final class Methods {
    /** Request: run a command. Params {@link ExecuteParams}, result {@link ExecuteResult}. */
    public static final String EXECUTE = "execute";
    /** Request: PAUSE, RESUME or CANCEL an execution. Params {@link ControlParams}, result {@link ControlResult}. */
    public static final String CONTROL = "control";
    /** Request: which hooks are configured. Result {@link HookStatus}. */
    public static final String HOOK_STATUS = "hook_status";
    /** Request: the timeout an execute of a command would get, without running it. Result {@link TaskEstimate}. */
    public static final String ESTIMATE = "estimate";
    /** Request: past runs of a command's task key. Result {@link HistoryResult}. */
    public static final String HISTORY = "history";
    /** Request: statistics per task key. Result {@link StatsResult}. */
    public static final String STATS = "stats";
    /**
     * Request: follow an execution from a position: every notification with {@code seq > from_seq}, then the live
     * ones. Params {@code {execution_id, from_seq}}, result {@link AttachResult}.
     */
    public static final String ATTACH = "attach";
    /** Request: stop following a kept execution without ending it. Params {@code {execution_id}}. */
    public static final String DETACH = "detach";
    /** Request: the executions this client's credentials may see, running and retained. Result {@link ExecutionList}. */
    public static final String EXECUTIONS = "executions";
    /** Request: bytes (or end of file) for an execution's stdin. Params {@link StdinParams}, result {@link StdinResult}. */
    public static final String STDIN = "stdin";
    /**
     * Request: what Claude Code runs through this server have cost and used since it started, server-wide.
     * Result {@link UsageResult}.
     */
    public static final String USAGE = "usage";
    /** Client answer to the server's {@link #PING}; never answered itself. */
    public static final String PONG = "pong";

    /** Notification sent once, right after the WebSocket opens. Params {@link Connected}. */
    public static final String CONNECTED = "connected";
    /** Application heartbeat notification, every ping interval. Params {@link Ping}. */
    public static final String PING = "ping";
    /** The process was spawned. Params {@link ProcessEvent}. */
    public static final String PROCESS_STARTED = "process.started";
    /** One line, or one chunk of a line, of stdout or stderr. Params {@link ProcessOutput}. */
    public static final String PROCESS_OUTPUT = "process.output";
    /** The execution ended; sent exactly once per execution, always last. Params {@link ProcessCompleted}. */
    public static final String PROCESS_COMPLETED = "process.completed";
    /** The process group was stopped with SIGSTOP. Params {@link ProcessEvent}. */
    public static final String PROCESS_PAUSED = "process.paused";
    /** The process group was continued with SIGCONT. Params {@link ProcessEvent}. */
    public static final String PROCESS_RESUMED = "process.resumed";
    /** A CANCEL was accepted; {@code process.completed} follows. Params {@link ProcessEvent}. */
    public static final String PROCESS_CANCELED = "process.canceled";
    /** Something went wrong while supervising the execution. Params {@link ProcessError}. */
    public static final String PROCESS_ERROR = "process.error";

    private Methods() {
    }
}
