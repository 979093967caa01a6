// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.CcxException;

/**
 * A {@link ClaudeSession} cannot do what was asked: it is closed, its process has ended, or the CLI answered a
 * control request with an error (whose text this carries).
 */
public class ClaudeSessionException extends CcxException {
    /** With a message that says what and why. */
    public ClaudeSessionException(String message) {
        super(message);
    }

    /** With a message and the failure behind it. */
    public ClaudeSessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
