// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

/**
 * Sees a {@link ClaudeSession} as it happens. Calls come one at a time, in the order of the CLI's output, on the
 * session's callback thread (the execution's listener thread), so keep them quick; an exception thrown here is
 * logged and changes nothing else.
 */
public interface SessionListener {
    /**
     * Every line of the CLI's stdout as an event, once: what {@link StreamJsonParser} makes of it, and the control
     * traffic ({@code control_request}, {@code control_response}, {@code control_cancel_request}) as
     * {@link ClaudeEvent.Unknown} with its type.
     */
    void event(ClaudeEvent event);

    /** After a turn's last event. */
    default void turnEnded(TurnResult result) {
    }

    /** A line the CLI wrote to stderr. */
    default void stderr(String line) {
    }

    /** The Claude process has ended (or can no longer be followed); {@code why} says how. */
    default void processEnded(String why) {
    }
}
