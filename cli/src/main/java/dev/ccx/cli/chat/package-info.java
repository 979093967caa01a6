// SPDX-License-Identifier: Apache-2.0
/**
 * {@code ccx claude --chat}: the conversation loop over a {@link dev.ccx.client.claude.ClaudeSession}, its two
 * outputs (a terminal, JSON lines), the one stdin reader, Ctrl-C and the permission questions. Specified in
 * {@code docs/cli.md}; {@link dev.ccx.cli.chat.ChatLoop} is the entry point.
 */
package dev.ccx.cli.chat;
