// SPDX-License-Identifier: Apache-2.0
/**
 * The ccx wire contract, shared by server and client: JSON-RPC method names, the records that travel as
 * results and notification params, why an execution ended, and the table of error codes.
 *
 * <p>Every record serialises with {@link dev.ccx.protocol.Wire#mapper()}, which writes snake_case names and keeps
 * {@code null} fields, because the original CC Executor's clients read keys such as {@code exit_code: null}.
 * The prose version of this contract is {@code docs/protocol.md}.
 */
package dev.ccx.protocol;
