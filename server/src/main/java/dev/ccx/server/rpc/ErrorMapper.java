// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.ErrorCode;
import dev.ccx.server.exec.ExecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become JSON-RPC errors. {@link ExecException}s carry their own code and a message
 * written for the client; anything else is a bug, logged with its stack and reported as INTERNAL_ERROR.
 */
public final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    /** The error response for {@code failure}, answering the request with {@code id} (may be {@code null}). */
    public static Envelopes.ErrorResponse toResponse(Throwable failure, Object id) {
        if (failure instanceof ExecException e) {
            return error(e.code(), e.getMessage(), e.data(), id);
        }
        LOG.error("request {} failed unexpectedly", id, failure);
        return error(ErrorCode.INTERNAL_ERROR, "Internal error: " + failure, null, id);
    }

    /** An error response with a specific message. */
    public static Envelopes.ErrorResponse error(ErrorCode code, String message, Object data, Object id) {
        return new Envelopes.ErrorResponse(new Envelopes.RpcError(code.code(), message, data), id);
    }
}
