// SPDX-License-Identifier: Apache-2.0
/**
 * JSON-RPC: reading requests, dispatching them to methods, and (in {@link dev.ccx.server.rpc.ErrorMapper}, the one
 * place that does it) turning failures into error responses.
 */
package dev.ccx.server.rpc;
