// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;

/**
 * Result of {@code hook_status}. ccx has no hooks; it says so rather than pretending, as the original did.
 *
 * @param enabled         always {@code false}
 * @param message         a sentence saying why
 * @param hooksConfigured always empty
 */
public record HookStatus(boolean enabled, String message, List<String> hooksConfigured) {
}
