// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.Usage;

/**
 * What a session has used so far, for {@code /cost}, the turn lines and the chat's last line.
 *
 * @param turns   the turns ended, replayed ones included
 * @param usage   their tokens added up ({@link ClaudeSession#totalUsage()})
 * @param costUsd what the session has cost, every process of it ({@link ClaudeSession#totalCostUsd()})
 */
record SessionTotals(int turns, Usage usage, double costUsd) {
    static SessionTotals of(ClaudeSession session) {
        return new SessionTotals(session.turnsEnded(), session.totalUsage(), session.totalCostUsd());
    }
}
