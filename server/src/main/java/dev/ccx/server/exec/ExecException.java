// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.ErrorCode;

/**
 * The one unchecked exception the server raises on purpose. It carries the {@link ErrorCode} and a message meant for
 * the client; {@code rpc.ErrorMapper} turns it into a JSON-RPC error, and anything else into INTERNAL_ERROR.
 */
public final class ExecException extends RuntimeException {
    private final ErrorCode code;
    private final transient Object data;

    /** An error with no structured data. */
    public ExecException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * @param code    the wire code
     * @param message a specific sentence for the client
     * @param data    structured detail sent as {@code error.data}, or {@code null}
     */
    public ExecException(ErrorCode code, String message, Object data) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
    }

    /** The wire code. */
    public ErrorCode code() {
        return code;
    }

    /** Structured detail, or {@code null}. */
    public Object data() {
        return data;
    }
}
