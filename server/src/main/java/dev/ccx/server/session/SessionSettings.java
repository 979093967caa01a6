// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.session;

import java.time.Duration;

/**
 * Per-session settings.
 *
 * @param maxProcessesPerSession executions one connection may run at once
 * @param outboundBytes          bytes that may wait in the transport before senders must wait
 * @param sendTimeout            how long a sender waits for room before the client is taken as stuck
 */
public record SessionSettings(int maxProcessesPerSession, int outboundBytes, Duration sendTimeout) {
}
