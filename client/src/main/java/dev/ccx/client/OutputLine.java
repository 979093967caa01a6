// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * One whole line of output, as {@link OutputLines} hands it out.
 *
 * @param stream where it came from
 * @param text   the line without its terminating {@code \n}
 */
public record OutputLine(Stream stream, String text) {
}
