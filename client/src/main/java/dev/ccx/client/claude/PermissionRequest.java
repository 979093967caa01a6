// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import tools.jackson.databind.JsonNode;

/**
 * Claude Code asking whether a tool may run: the CLI's {@code can_use_tool} control request, sent only when the
 * session has a {@link PermissionCallback} (the CLI then runs with {@code --permission-prompt-tool stdio}).
 *
 * @param requestId   the CLI's id of the request (its answer, or a {@code control_cancel_request}, names it)
 * @param toolName    the tool, for example {@code Write} or {@code Bash}
 * @param input       the tool's input as the model wrote it
 * @param toolUseId   the {@code tool_use} block this is about, or {@code null}
 * @param reason      why the CLI asks ({@code decision_reason}, for example "Path is outside allowed working
 *                    directories"), or {@code null}
 * @param blockedPath the path that needs permission ({@code blocked_path}), or {@code null}
 * @param suggestions the CLI's {@code permission_suggestions} (rules that would allow this for good), possibly empty
 * @param raw         the whole {@code request} object, for fields not mapped here
 */
public record PermissionRequest(String requestId, String toolName, JsonNode input, String toolUseId, String reason,
                                String blockedPath, JsonNode suggestions, JsonNode raw) {

    static PermissionRequest of(String requestId, JsonNode request) {
        return new PermissionRequest(requestId, Json.text(request.path("tool_name")), request.path("input"),
                Json.text(request.path("tool_use_id")), Json.text(request.path("decision_reason")),
                Json.text(request.path("blocked_path")), request.path("permission_suggestions"), request);
    }
}
