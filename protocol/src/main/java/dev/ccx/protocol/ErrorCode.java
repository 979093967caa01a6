// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Every error code ccx sends, the stable table documented in {@code docs/protocol.md}.
 *
 * <p>-32700..-32600 are JSON-RPC 2.0's own. Application codes use the reserved server range -32000..-32099 and keep
 * the numbers the original CC Executor actually sent on the wire for the same conditions (-32001 command not
 * allowed, -32002 no process, -32003 session limit); codes it never had are numbered after them.
 */
public enum ErrorCode {
    /** The frame was not valid JSON. Sent with {@code id: null}. */
    PARSE_ERROR(-32700, "Parse error"),
    /** Valid JSON, but not a JSON-RPC request object (batch, missing method, bad id type, binary frame). */
    INVALID_REQUEST(-32600, "Invalid request"),
    /** No such method. */
    METHOD_NOT_FOUND(-32601, "Method not found"),
    /** A parameter is missing or has the wrong type or value; the message names the field. */
    INVALID_PARAMS(-32602, "Invalid params"),
    /** A bug or an unexpected failure in the server; the log has the stack trace. */
    INTERNAL_ERROR(-32603, "Internal error"),

    /** The command is outside {@code ALLOWED_COMMANDS}, or uses shell syntax while an allow-list is set. */
    COMMAND_NOT_ALLOWED(-32001, "Command not allowed"),
    /** No running execution matches (none running, unknown id, or it has already completed). */
    NO_SUCH_PROCESS(-32002, "No such process"),
    /** The server already has {@code max_sessions} connections. Sent, then the socket closes with 1008. */
    SESSION_LIMIT(-32003, "Session limit reached"),
    /** {@code max_processes_per_session} or the global {@code max_processes} is reached. Nothing is queued. */
    PROCESS_LIMIT(-32004, "Process limit reached"),
    /** The program, shell or working directory does not exist or cannot be executed. */
    SPAWN_FAILED(-32005, "Command could not be started"),
    /** The control does not fit the execution's state (RESUME while running, PAUSE while paused). */
    INVALID_STATE(-32006, "Invalid state for this control"),
    /** The server is shutting down and starts nothing new. */
    SHUTTING_DOWN(-32007, "Server is shutting down"),
    /**
     * {@code attach} asked for a position the log no longer holds (it was evicted for the log's size limits, or the
     * execution's retention ended): {@code data.oldest_seq} is the oldest it holds. Never a silent gap.
     */
    POSITION_GONE(-32008, "Log position no longer held"),
    /** {@code stdin}: the process did not read the bytes within {@code --stdin-timeout}; the unwritten rest was withdrawn. */
    STDIN_TIMEOUT(-32009, "Stdin not read in time"),
    /** {@code stdin}: the execution has no stdin pipe, or it was closed ({@code eof} sent, or the process exited). */
    STDIN_CLOSED(-32010, "Stdin is not open"),
    /** {@code stdin}: the bytes already waiting for the process to read, with these, would pass the server's bound. */
    STDIN_FULL(-32011, "Stdin buffer full"),
    /** Cluster: Redis does not answer, so the execution cannot be placed or found through it. */
    CLUSTER_UNAVAILABLE(-32012, "Cluster unavailable");

    private final int code;
    private final String title;

    ErrorCode(int code, String title) {
        this.code = code;
        this.title = title;
    }

    /** The numeric code sent in {@code error.code}. */
    public int code() {
        return code;
    }

    /** A short generic title; the message sent on the wire is usually more specific. */
    public String title() {
        return title;
    }

    /** Looks up a code received on the wire; {@code null} when ccx does not know it. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
