// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.observe;

import java.util.Map;

/**
 * A request or a connection that was turned away.
 *
 * @param what      {@code execute}, {@code connect} (a WebSocket upgrade or a session) or {@code metrics}
 * @param rule      which limit or rule: a limit's name ({@code max_processes}, {@code max_processes_per_session},
 *                  {@code max_sessions}), {@code origin}, {@code token}, or the error's name
 *                  ({@code command_not_allowed}, {@code invalid_params}, {@code spawn_failed}, ...)
 * @param limit     whether {@code rule} is a capacity limit (counted in the metrics) rather than a rule
 * @param code      the JSON-RPC error code, or the HTTP status for a refused upgrade or scrape
 * @param message   the error message the client got
 * @param sessionId the session, or {@code null} before one exists
 * @param remote    the client's address
 * @param request   what was asked, without secrets (environment values and tokens are left out)
 */
public record Refusal(String what, String rule, boolean limit, int code, String message, String sessionId,
                      String remote, Map<String, Object> request) {
}
