// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.Wire;
import dev.ccx.server.log.Cursor;
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

    /** Sends the result. */
    void reply(Object result) {
        markReplied();
        session.send(new Envelopes.Response(result, id));
    }

    /**
     * Sends the result through {@code cursor}, in front of the frame it is held at: the client sees the result,
     * then the notification the request caused, then anything else about that execution.
     */
    void replyInto(Cursor cursor, Object result) {
        markReplied();
        cursor.release(encode(result));
    }

    /**
     * Marks the call answered now, for a reply that another thread sends later (exactly once) through the returned
     * {@link Reply}, or that the session's writer sends as bytes from {@link #encode}.
     */
    Reply defer() {
        markReplied();
        return new Reply();
    }

    /** The response carrying {@code result}, encoded, for a reply sent by the session's writer. */
    byte[] encode(Object result) {
        return Wire.mapper().writeValueAsBytes(new Envelopes.Response(result, id));
    }

    /** A reply sent later, by another thread: a result or an error. */
    final class Reply {
        private Reply() {
        }

        /** Sends the result (waiting, at most the send timeout, while the session's queue is full). */
        void send(Object result) {
            session.send(new Envelopes.Response(result, id));
        }

        /** Sends the error {@code failure} maps to. */
        void fail(Throwable failure) {
            session.send(ErrorMapper.toResponse(failure, id));
        }
    }

    private void markReplied() {
        if (replied) {
            throw new IllegalStateException("replied twice");
        }
        replied = true;
    }

    boolean replied() {
        return replied;
    }
}
