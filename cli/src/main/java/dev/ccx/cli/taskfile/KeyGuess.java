// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import java.util.List;
import java.util.Locale;

/** Which known key an unknown one was probably meant to be: a typo ({@code timout}) or another spelling. */
final class KeyGuess {
    private static final int MAX_EDITS = 2;

    private KeyGuess() {
    }

    /** The known key nearest to {@code key}, or {@code null} when none is near enough to be a guess worth showing. */
    static String nearest(String key, List<String> known) {
        String flat = flatten(key);
        String best = null;
        int bestDistance = MAX_EDITS + 1;
        for (String k : known) {
            // idleTimeout, idle-timeout and IDLE_TIMEOUT are idle_timeout spelt another way, not a typo.
            int d = flatten(k).equals(flat) ? 0 : distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static String flatten(String s) {
        return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int swap = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(swap, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
