// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import java.util.List;

/**
 * Params of the {@code connected} notification, the first message on every connection.
 *
 * @param sessionId    the server's id for this connection
 * @param version      the server version
 * @param capabilities what this server supports; the original's three first, then ccx additions
 * @param limits       the limits that apply to this session, so a client can plan instead of probing
 */
public record Connected(String sessionId, String version, List<String> capabilities, Limits limits) {

    /**
     * Limits a session sees.
     *
     * @param maxProcessesPerSession executions this connection may run at once
     * @param maxProcesses           executions the whole server runs at once
     * @param maxMessageBytes        largest inbound message; bigger ones close the connection with 1009
     * @param maxLineBytes           longest output line delivered as one line; longer ones are split
     */
    public record Limits(int maxProcessesPerSession, int maxProcesses, long maxMessageBytes, int maxLineBytes) {
    }
}
