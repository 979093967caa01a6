// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.cli.progress.Units;
import dev.ccx.client.claude.TurnResult;
import dev.ccx.client.claude.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The bracketed lines a person sees after a turn and for {@code /cost}: how it ended, cost, tokens, time. */
final class TurnText {
    private TurnText() {
    }

    /** "[$0.0012 · 1.2k in / 35 out tokens · 2.3s]", led by how the turn ended when it did not complete. */
    static String footer(TurnResult r) {
        List<String> parts = new ArrayList<>();
        String status = status(r);
        if (status != null) {
            parts.add(status);
        }
        if (r.costUsd() != null) {
            parts.add(money(r.costUsd()));
        }
        parts.add(tokens(r.claude().usage()));
        if (!r.duration().isZero()) { // zero for a turn seen in a replay: nobody here timed it
            parts.add(Units.duration(r.duration()));
        }
        return "[" + String.join(" · ", parts) + "]";
    }

    /** "[session: 2 turns · $0.0123 · 1.2k in / 35 out tokens]". */
    static String totals(SessionTotals t) {
        return "[session: " + t.turns() + (t.turns() == 1 ? " turn" : " turns") + " · " + money(t.costUsd()) + " · "
                + tokens(t.usage()) + "]";
    }

    /** How a turn ended when it did not simply complete, else {@code null}. */
    private static String status(TurnResult r) {
        if (r.timedOut()) {
            return "timed out, interrupted";
        }
        if (r.interrupted()) {
            return "interrupted";
        }
        if (TurnResult.PROCESS_ENDED.equals(r.terminalReason())) {
            return "the Claude process ended";
        }
        if (r.claude().isError()) {
            String subtype = r.claude().errorSubtype();
            // "success" with is_error is an API error; its text, already shown, says which.
            return subtype == null || "success".equals(subtype) ? "error" : "error: " + subtype;
        }
        return null;
    }

    private static String money(double usd) {
        return String.format(Locale.ROOT, "$%.4f", usd);
    }

    private static String tokens(Usage u) {
        return Units.count(u.totalInputTokens()) + " in / " + Units.count(u.outputTokens()) + " out tokens";
    }
}
