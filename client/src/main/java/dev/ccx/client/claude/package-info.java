// SPDX-License-Identifier: Apache-2.0
/**
 * Claude Code on ccx: building the {@code claude} command line, parsing its stream-json output, and the structured
 * result of a run.
 */
package dev.ccx.client.claude;
