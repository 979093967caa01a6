// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

/**
 * Decides whether Claude Code may run a tool ({@code can_use_tool}). Called on a virtual thread of its own per
 * request, so it may block (for example to ask a person); several may run at once.
 *
 * <p>It is bounded: a decision not made within {@link ClaudeSessionOptions#permissionTimeout()} is a denial, and
 * the thread is interrupted. When the CLI withdraws the request ({@code control_cancel_request}, for example after
 * an interrupt) the thread is interrupted and its answer, if any, is dropped. A callback that throws, or returns
 * {@code null}, denies with a message saying so.
 */
@FunctionalInterface
public interface PermissionCallback {
    /** The decision for {@code request}. */
    PermissionDecision decide(PermissionRequest request) throws Exception;
}
