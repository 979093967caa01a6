// SPDX-License-Identifier: Apache-2.0
/**
 * What the server tells about its work, as plain data: {@link dev.ccx.server.observe.ServerObserver} (the events),
 * {@link dev.ccx.server.observe.ExecutionSummary} (one ended execution), {@link dev.ccx.server.observe.Refusal}
 * (a request or connection that was turned away). The exec, rpc and transport packages report here; metrics and
 * audit listen, and neither side knows the other.
 */
package dev.ccx.server.observe;
