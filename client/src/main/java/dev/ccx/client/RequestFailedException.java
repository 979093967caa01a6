// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.ErrorCode;

/**
 * The server answered a request with a JSON-RPC error. {@link #code()} is the number from the wire and
 * {@link #errorCode()} its meaning (for example {@link ErrorCode#SPAWN_FAILED} for a program that does not exist,
 * {@link ErrorCode#PROCESS_LIMIT} when the server runs as many executions as it allows). The connection stays open
 * and usable.
 */
public final class RequestFailedException extends CcxException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String serverMessage;
    private final String data;

    /**
     * @param method        the request's method
     * @param code          {@code error.code}
     * @param serverMessage {@code error.message}
     * @param data          {@code error.data} as JSON text, or {@code null}
     */
    public RequestFailedException(String method, int code, String serverMessage, String data) {
        super(method + " failed: " + serverMessage + " (" + code + ")");
        this.code = code;
        this.serverMessage = serverMessage;
        this.data = data;
    }

    /** The JSON-RPC error code as sent. */
    public int code() {
        return code;
    }

    /** The code's meaning, or {@code null} for a code this client does not know. */
    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    /** The server's {@code error.message}. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The server's {@code error.data} as JSON text, or {@code null} when it sent none. */
    public String data() {
        return data;
    }
}
