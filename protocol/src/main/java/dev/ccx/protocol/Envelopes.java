// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * JSON-RPC 2.0 envelopes as ccx sends them. Responses always carry {@code id}, {@code null} when the request's id
 * is unknown (for example after a parse error).
 */
public final class Envelopes {
    private Envelopes() {
    }

    /**
     * A notification: {@code {"jsonrpc":"2.0","method":...,"params":...}}.
     *
     * @param jsonrpc always {@code "2.0"}
     * @param method  the notification name, see {@link Methods}
     * @param params  the record for that notification
     */
    public record Notification(String jsonrpc, String method, Object params) {
        /** A notification with the standard version. */
        public Notification(String method, Object params) {
            this(Wire.JSONRPC, method, params);
        }
    }

    /**
     * A successful response.
     *
     * @param jsonrpc always {@code "2.0"}
     * @param result  the method's result
     * @param id      the request's id, echoed as sent (string, number or null)
     */
    public record Response(String jsonrpc, Object result, Object id) {
        /** A response with the standard version. */
        public Response(Object result, Object id) {
            this(Wire.JSONRPC, result, id);
        }
    }

    /**
     * An error response.
     *
     * @param jsonrpc always {@code "2.0"}
     * @param error   what went wrong
     * @param id      the request's id, or {@code null} when it could not be read
     */
    public record ErrorResponse(String jsonrpc, RpcError error, Object id) {
        /** An error response with the standard version. */
        public ErrorResponse(RpcError error, Object id) {
            this(Wire.JSONRPC, error, id);
        }
    }

    /**
     * The {@code error} member.
     *
     * @param code    see {@link ErrorCode}
     * @param message a specific sentence: which field, which limit, which execution
     * @param data    structured detail, or {@code null} (the key is always present, as in the original)
     */
    public record RpcError(int code, String message, Object data) {
    }
}
