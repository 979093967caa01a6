// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

/**
 * A tool call Claude made during a run, for reports. Immutable.
 *
 * @param id the {@code tool_use} id ({@code toolu_...}), or {@code null} if the CLI sent none
 * @param name the tool name, for example {@code Bash} or {@code mcp__server__tool}
 * @param inputSummary the tool input as compact JSON, cut to {@link #SUMMARY_CHARS} characters
 * @param isError whether the matching {@code tool_result} reported an error ({@code false} until one arrives)
 */
public record ToolCall(String id, String name, String inputSummary, boolean isError) {
    /** Longest {@link #inputSummary()} kept. */
    public static final int SUMMARY_CHARS = 200;
}
