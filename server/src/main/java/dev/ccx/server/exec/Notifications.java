// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.Wire;

/** Notifications as the bytes that go on the wire (and into an execution's log). */
final class Notifications {
    private Notifications() {
    }

    /** {@code {"jsonrpc":"2.0","method":METHOD,"params":PARAMS}} as UTF-8. */
    static byte[] encode(String method, Object params) {
        return Wire.mapper().writeValueAsBytes(new Envelopes.Notification(method, params));
    }
}
