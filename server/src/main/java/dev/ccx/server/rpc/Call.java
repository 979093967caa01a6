// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.Envelopes;
import dev.ccx.server.session.ClientSession;
import tools.jackson.databind.JsonNode;

/**
 * One request being answered. A method replies exactly once, with {@link #reply(Object)}, or throws; the
 * dispatcher turns the exception into the error response.
 */
final class Call {
    private final ClientSession session;
    private final JsonNode id;
    private final JsonNode params;
    private boolean replied;

    Call(ClientSession session, JsonNode id, JsonNode params) {
        this.session = session;
        this.id = id;
        this.params = params;
    }

    ClientSession session() {
        return session;
    }

    JsonNode params() {
        return params;
    }

    JsonNode id() {
        return id;
    }

    /** Sends the result. Methods may call it from inside a lock so the result precedes related notifications. */
    void reply(Object result) {
        if (replied) {
            throw new IllegalStateException("replied twice");
        }
        replied = true;
        session.send(new Envelopes.Response(result, id));
    }

    boolean replied() {
        return replied;
    }
}
