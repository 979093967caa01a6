// SPDX-License-Identifier: Apache-2.0
/**
 * The ccx server: {@link dev.ccx.server.ServerConfig} (every setting and default), {@link dev.ccx.server.ExecServer}
 * (wiring and lifecycle) and {@link dev.ccx.server.ServeCommand} ({@code ccx serve}). Features live in the
 * sub-packages: transport, session, rpc, exec, process.
 */
package dev.ccx.server;
