// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of the application-level {@code ping} notification. Answering with {@code pong} is optional: liveness is
 * judged by WebSocket-level pongs and any other inbound frame.
 *
 * @param timestamp server time in epoch seconds
 */
public record Ping(double timestamp) {
}
