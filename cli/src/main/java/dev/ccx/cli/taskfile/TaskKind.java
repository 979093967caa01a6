// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

/**
 * What a task written as bare text means: a JSON string task, a Markdown list item, or a line of a plain list. Text
 * that is one inline code span or starts with {@code "$ "} in Markdown or plain text is a command whatever the kind.
 */
public enum TaskKind {
    /** A shell command line, run as {@code SHELL -c line} on the server. */
    COMMAND,
    /** A Claude Code prompt, run with the reader's Claude template. */
    PROMPT
}
