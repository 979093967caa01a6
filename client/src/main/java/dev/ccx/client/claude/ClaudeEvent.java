// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One typed event from a Claude Code stream-json line, as produced by {@link StreamJsonParser}. One line can give
 * several events (an {@code assistant} message with text and two tool calls gives three). All records are immutable;
 * {@code null} marks a field the line did not have. Field names follow the CLI's JSON.
 */
public sealed interface ClaudeEvent {

    /**
     * {@code {"type":"system","subtype":"init",...}}: the first line of a run.
     *
     * @param sessionId {@code session_id}; pass it to {@link ClaudeCommand#resume(String)} to continue
     * @param model the model actually used
     * @param cwd the working directory of the CLI
     * @param permissionMode {@code permissionMode} as the CLI spells it
     * @param tools names of the tools available
     * @param mcpServers {@code name:status} of each MCP server
     * @param version {@code claude_code_version}
     */
    record Init(String sessionId, String model, String cwd, String permissionMode, List<String> tools,
            List<String> mcpServers, String version) implements ClaudeEvent {
        /** Copies the lists. */
        public Init {
            tools = List.copyOf(tools);
            mcpServers = List.copyOf(mcpServers);
        }
    }

    /**
     * One {@code text} block of an {@code assistant} line (a line with several gives one event per block).
     *
     * @param text the text
     * @param messageId {@code message.id}; several lines share one id when a response has several blocks
     * @param parentToolUseId set when a sub-agent (Task tool) wrote the message
     * @param apiError the line's top-level {@code error} ({@code rate_limit}, {@code server_error}, ...) when the CLI
     *     turned a failed API call into this message, else {@code null}
     */
    record AssistantText(String text, String messageId, String parentToolUseId, String apiError)
            implements ClaudeEvent {
    }

    /**
     * A {@code tool_use} block of an {@code assistant} line.
     *
     * @param id {@code toolu_...}
     * @param name tool name
     * @param input the tool input object (an empty object if the CLI sent none)
     * @param messageId {@code message.id}
     * @param parentToolUseId set when a sub-agent made the call
     */
    record ToolUse(String id, String name, JsonNode input, String messageId, String parentToolUseId)
            implements ClaudeEvent {
    }

    /**
     * A user message echoed by the CLI as it takes it ({@code --replay-user-messages}, which {@link ClaudeSession}
     * sets): the start of a turn, and its prompt for a client that attaches later.
     *
     * @param text the prompt's text (text blocks joined by newlines), empty when it had none
     * @param content the message's {@code content}, a string or a list of blocks
     */
    record UserPrompt(String text, JsonNode content) implements ClaudeEvent {
    }

    /**
     * A {@code tool_result} block of a {@code user} line.
     *
     * @param toolUseId the {@link ToolUse#id()} answered
     * @param content the result as text (text blocks of a block list joined; other blocks as {@code [type]})
     * @param isError {@code is_error}
     */
    record ToolResult(String toolUseId, String content, boolean isError) implements ClaudeEvent {
    }

    /**
     * A {@code text_delta} from a {@code stream_event} line ({@code --include-partial-messages}).
     *
     * @param text the new characters
     * @param messageId the id of the message being streamed, from its {@code message_start}, or {@code null}
     * @param index the content block index
     */
    record PartialText(String text, String messageId, int index) implements ClaudeEvent {
    }

    /**
     * {@code {"type":"system","subtype":"api_retry",...}}: the CLI is about to retry a failed API request itself.
     *
     * @param attempt {@code attempt}, 1-based
     * @param maxRetries {@code max_retries}
     * @param retryDelayMs {@code retry_delay_ms}
     * @param httpStatus {@code error_status}, for example 429 or 529; {@code null} for connection errors
     * @param error {@code error}: a category such as {@code rate_limit}, {@code server_error}, or a message
     */
    record ApiRetry(Integer attempt, Integer maxRetries, Long retryDelayMs, Integer httpStatus, String error)
            implements ClaudeEvent {
    }

    /**
     * {@code {"type":"rate_limit_event","rate_limit_info":{...}}}: the subscription's usage-window state, sent by newer
     * CLIs (seen in 2.1.330) when it changes.
     *
     * @param status {@code allowed}, {@code allowed_warning} or {@code rejected}
     * @param resetsAt when the window resets ({@code resetsAt}, epoch seconds), or {@code null}
     * @param rateLimitType {@code five_hour}, {@code seven_day}, ... or {@code null}
     * @param usingOverage {@code isUsingOverage}
     */
    record RateLimit(String status, Instant resetsAt, String rateLimitType, boolean usingOverage)
            implements ClaudeEvent {
    }

    /**
     * {@code {"type":"result",...}}: the last line of a run.
     *
     * @param subtype {@code success}, {@code error_max_turns}, {@code error_during_execution},
     *     {@code error_max_budget_usd}, ...
     * @param isError {@code is_error}; a failed API call comes as {@code success} with {@code is_error: true}
     * @param result the final text (or the error message); absent for most {@code error_*} subtypes
     * @param sessionId {@code session_id}
     * @param costUsd {@code total_cost_usd} (older CLIs: {@code cost_usd})
     * @param usage the run's total usage
     * @param numTurns {@code num_turns}
     * @param durationMs {@code duration_ms}
     * @param durationApiMs {@code duration_api_ms}
     * @param apiErrorStatus {@code api_error_status}, when the CLI reports the HTTP status of a failed call
     * @param errors {@code errors} as strings (error subtypes list details there)
     */
    record Result(String subtype, boolean isError, String result, String sessionId, Double costUsd, Usage usage,
            Integer numTurns, Long durationMs, Long durationApiMs, Integer apiErrorStatus, List<String> errors)
            implements ClaudeEvent {
        /** Copies the list. */
        public Result {
            errors = List.copyOf(errors);
        }
    }

    /**
     * Anything else: other {@code system} subtypes, other {@code stream_event}s, {@code thinking}, new types, and
     * lines that are not a JSON object.
     *
     * @param type the line's {@code type}, or {@code null} when it had none or was not JSON
     * @param subtype the {@code subtype} (for {@code stream_event}: {@code event.type}), or {@code null}
     * @param node the parsed line, or {@code null} when it was not JSON
     * @param line the raw line
     */
    record Unknown(String type, String subtype, JsonNode node, String line) implements ClaudeEvent {
    }
}
