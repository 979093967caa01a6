// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

/** A JSON-RPC method: replies once through the call, or throws. */
@FunctionalInterface
interface RpcMethod {
    void call(Call call);
}
