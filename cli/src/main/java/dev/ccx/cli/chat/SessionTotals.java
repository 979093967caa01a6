// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.claude.ClaudeSession;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.client.claude.Usage;

/**
 * What a session has used so far, for {@code /cost}, the turn lines and the chat's last line.
 *
 * @param turns   the turns ended, replayed ones included
 * @param usage   their tokens added up (each turn's {@code result} counts its own)
 * @param costUsd their costs added up. Not {@link ClaudeSession#totalCostUsd()}: once a process has ended, that
 *                counts its running total twice (once as an ended process's, once as the current one's, until a
 *                resume starts another); the turns' own costs are the differences of the same totals, so they add
 *                up to the same sum without that. A turn whose cost is unknown (its process ended before its
 *                {@code result}) adds nothing.
 */
record SessionTotals(int turns, Usage usage, double costUsd) {
    static SessionTotals of(ClaudeSession session) {
        Usage tokens = Usage.ZERO;
        double cost = 0;
        int n = 0;
        for (TurnResult r : session.turns()) {
            tokens = tokens.plus(r.claude().usage());
            cost += r.costUsd() == null ? 0 : r.costUsd();
            n++;
        }
        return new SessionTotals(n, tokens, cost);
    }
}
