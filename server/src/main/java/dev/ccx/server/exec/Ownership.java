// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.time.Duration;

/**
 * Who may see an execution, and what the loss of its connection does to it.
 *
 * @param principal the credentials of the connection that started it (a token's fingerprint, or {@code anonymous}
 *                  without tokens): only connections with the same may list, attach, control or write to it
 * @param keep      {@code on_disconnect: keep}: it runs on without its connection, for {@code linger}
 * @param linger    how long a kept execution may run with no connection following it before it is ended with
 *                  reason {@code abandoned}; {@code null} for a killed-on-disconnect one
 */
public record Ownership(String principal, boolean keep, Duration linger) {
}
