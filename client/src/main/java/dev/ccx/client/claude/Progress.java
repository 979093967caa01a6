// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

/**
 * A snapshot of a run so far, from {@link StreamJsonParser#progress()}. Immutable.
 *
 * @param sessionId the session id once known, else {@code null}
 * @param turns API responses of the main agent so far (distinct {@code message.id}s)
 * @param toolCalls tool calls so far, sub-agents' included
 * @param usage tokens so far, each response counted once; the {@code result} line's totals replace it at the end
 * @param text the main agent's text so far (messages separated by a blank line), streamed deltas included
 * @param lines lines fed so far
 * @param unparsed lines that were not a JSON object
 * @param apiRetries {@code api_retry} events seen
 * @param finished whether a {@code result} line arrived
 */
public record Progress(String sessionId, int turns, int toolCalls, Usage usage, String text, long lines,
        long unparsed, int apiRetries, boolean finished) {
}
