// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** The answer to a {@link PermissionRequest}: allow (optionally with changed input) or deny with a message. */
public sealed interface PermissionDecision {

    /**
     * Let the tool run.
     *
     * @param updatedInput the input to run it with instead of the model's, or {@code null} for the model's own; a
     *                     JSON object
     */
    record Allow(JsonNode updatedInput) implements PermissionDecision {
        /** Checks that a changed input is a JSON object, as the CLI requires. */
        public Allow {
            if (updatedInput != null && !updatedInput.isObject()) {
                throw new IllegalArgumentException("updatedInput must be a JSON object, got "
                        + updatedInput.getNodeType());
            }
            updatedInput = updatedInput == null ? null : updatedInput.deepCopy();
        }
    }

    /**
     * Refuse the tool: the model gets an error tool result carrying {@code message}.
     *
     * @param message   what the model is told
     * @param interrupt also end the turn (the CLI stops instead of letting the model go on)
     */
    record Deny(String message, boolean interrupt) implements PermissionDecision {
        /** Checks the message. */
        public Deny {
            Objects.requireNonNull(message, "message");
            if (message.isBlank()) {
                throw new IllegalArgumentException("a denial needs a message for the model");
            }
        }
    }

    /** Allow with the model's input. */
    static PermissionDecision allow() {
        return new Allow(null);
    }

    /** Allow with another input (a JSON object). */
    static PermissionDecision allow(JsonNode updatedInput) {
        return new Allow(Objects.requireNonNull(updatedInput, "updatedInput"));
    }

    /** Deny; the model is told {@code message} and may go on. */
    static PermissionDecision deny(String message) {
        return new Deny(message, false);
    }

    /** Deny and end the turn. */
    static PermissionDecision denyAndInterrupt(String message) {
        return new Deny(message, true);
    }
}
