// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import java.time.Duration;

/**
 * How long executions are kept beyond their connection and beyond their end.
 *
 * @param linger      how long a kept execution runs with nobody following it, when {@code execute} gives no
 *                    {@code linger} ({@code --linger})
 * @param maxLinger   the most a client may ask for ({@code --max-linger}); more is refused, not cut
 * @param retain      how long an ended execution stays listable and replayable ({@code --retain})
 * @param maxRetained how many ended executions are kept at most; the oldest goes first ({@code --max-retained})
 */
public record Retention(Duration linger, Duration maxLinger, Duration retain, int maxRetained) {
    public Retention {
        if (linger.compareTo(maxLinger) > 0) {
            throw new IllegalArgumentException("linger " + linger.toSeconds() + "s is above max_linger "
                    + maxLinger.toSeconds() + "s");
        }
        if (maxRetained < 0) {
            throw new IllegalArgumentException("max_retained: " + maxRetained + " (expected: >= 0)");
        }
    }
}
