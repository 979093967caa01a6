// SPDX-License-Identifier: Apache-2.0
/**
 * Connections as the server sees them: one {@link dev.ccx.server.session.ClientSession} per WebSocket, its
 * outbound flow control, its executions, and the hub that counts sessions and checks that clients are alive.
 */
package dev.ccx.server.session;
