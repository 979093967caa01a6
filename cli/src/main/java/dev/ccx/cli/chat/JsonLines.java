// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.cli.report.ResultJson;
import dev.ccx.client.claude.ClaudeEvent;
import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.PermissionRequest;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.protocol.Wire;
import java.io.PrintStream;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat for a program: one prompt per line in, one JSON object per line out, in snake_case like the wire
 * protocol. The lines and their fields are specified in docs/cli.md ({@code ccx claude --chat}, "Without a
 * terminal"); every line has a {@code type}: {@code session}, {@code permission}, {@code turn}, {@code cost},
 * {@code help}, {@code error}, {@code process_ended}, then {@code closed} or {@code detached}. Writes are serialised,
 * so lines never interleave.
 */
public final class JsonLines implements ChatOutput {
    private final PrintStream out;
    private final ReentrantLock lock = new ReentrantLock();
    /** The execution taken up or started, for the turns replayed before {@link #turn} can ask the session. */
    private volatile String executionId;
    private volatile boolean closing;

    /** Writes to {@code out}. */
    public JsonLines(PrintStream out) {
        this.out = out;
    }

    @Override
    public void event(ClaudeEvent event) {
        // The turn line carries what a program needs of a turn: its text, tool calls, usage and cost.
    }

    @Override
    public void turnEnded(TurnResult result) {
        if (result.adopted()) { // another client's turn, from the replay: the main thread does not see it end
            emit(turnLine(result, executionId, result.claude().costUsd()));
        }
    }

    @Override
    public void processEnded(String why) {
        if (!closing) {
            emit(line("process_ended").put("message", why));
        }
    }

    @Override
    public void opened(String id, boolean attached) {
        executionId = id;
        emit(line("session").put("execution_id", id).put("attached", attached));
    }

    @Override
    public LineSource.Line readPrompt(LineSource lines) throws InterruptedException {
        return lines.next();
    }

    @Override
    public void turn(TurnResult result, ClaudeSession session) {
        emit(turnLine(result, session.executionId(), SessionTotals.of(session).costUsd()));
    }

    private static ObjectNode turnLine(TurnResult r, String executionId, Double totalCost) {
        ObjectNode n = line("turn").put("index", r.index()).put("prompt", r.prompt()).put("text", r.text())
                .put("terminal_reason", r.terminalReason()).put("interrupted", r.interrupted())
                .put("timed_out", r.timedOut()).put("adopted", r.adopted()).put("is_error", r.claude().isError())
                .put("error_subtype", r.claude().errorSubtype()).put("cost_usd", r.costUsd())
                .put("total_cost_usd", totalCost);
        n.set("usage", Wire.mapper().valueToTree(r.claude().usage()));
        n.set("tool_calls", Wire.mapper().valueToTree(r.claude().toolCalls()));
        return n.put("duration", ResultJson.seconds(r.duration())).put("session_id", r.claude().sessionId())
                .put("execution_id", executionId);
    }

    @Override
    public void cost(ClaudeSession session) {
        emit(totals(line("cost"), SessionTotals.of(session)));
    }

    private static ObjectNode totals(ObjectNode n, SessionTotals t) {
        n.put("turns", t.turns()).set("usage", Wire.mapper().valueToTree(t.usage()));
        return n.put("total_cost_usd", t.costUsd());
    }

    @Override
    public void help() {
        ObjectNode n = line("help");
        ObjectNode commands = n.putObject("commands");
        for (SlashCommand c : SlashCommand.values()) {
            if (c != SlashCommand.NONE) {
                commands.put(c.word(), c.help());
            }
        }
        emit(n);
    }

    @Override
    public void failed(String message) {
        emit(line("error").put("message", message));
    }

    @Override
    public void permission(PermissionRequest request, boolean allowed, String why) {
        ObjectNode n = line("permission").put("tool", request.toolName()).put("tool_use_id", request.toolUseId());
        n.set("input", request.input());
        emit(n.put("allowed", allowed).put("reason", why));
    }

    @Override
    public void closing() {
        closing = true;
    }

    @Override
    public void closed(ClaudeSession session, boolean detached) {
        ObjectNode n = line(detached ? "detached" : "closed").put("execution_id", session.executionId())
                .put("session_id", session.sessionId());
        emit(totals(n, SessionTotals.of(session)));
    }

    private static ObjectNode line(String type) {
        return Wire.mapper().createObjectNode().put("type", type);
    }

    private void emit(ObjectNode n) {
        String text = Wire.mapper().writeValueAsString(n);
        lock.lock();
        try {
            out.println(text);
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}
