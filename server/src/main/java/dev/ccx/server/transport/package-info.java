// SPDX-License-Identifier: Apache-2.0
/**
 * The only package that knows Jetty: the HTTP server, the WebSocket upgrade with its Origin and token checks, the
 * adapter from a Jetty WebSocket session to {@link dev.ccx.server.session.Connection}, and the health endpoints.
 */
package dev.ccx.server.transport;
