// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import java.time.Duration;

/**
 * Per-session settings.
 *
 * @param maxProcessesPerSession executions one connection may run at once
 * @param outboundBytes          bytes that may wait in the transport, written but not yet taken by the client
 * @param sendTimeout            how long the writer waits for the client to take anything before it is dropped
 */
public record SessionSettings(int maxProcessesPerSession, int outboundBytes, Duration sendTimeout) {
}
