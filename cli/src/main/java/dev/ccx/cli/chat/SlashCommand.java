// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import java.util.Locale;

/**
 * The chat's own commands, typed on a line of their own. Any other line, one starting with {@code /} included, is a
 * prompt for Claude (Claude Code has slash commands of its own).
 */
public enum SlashCommand {
    /** {@code /exit}: close the session and exit. */
    EXIT("/exit", "close the session and exit (also Ctrl-D)"),
    /** {@code /cost}: the session's cost and tokens so far. */
    COST("/cost", "the session's cost and tokens so far"),
    /** {@code /detach}: leave the session running on the server and exit. */
    DETACH("/detach", "leave the session running on the server and exit; --attach ID takes it up again"),
    /** {@code /help}: the commands and keys. */
    HELP("/help", "these commands"),
    /** Not a command: a prompt. */
    NONE("", "");

    private final String word;
    private final String help;

    SlashCommand(String word, String help) {
        this.word = word;
        this.help = help;
    }

    /** The command {@code line} is, or {@link #NONE}. */
    public static SlashCommand of(String line) {
        String w = line.strip().toLowerCase(Locale.ROOT);
        for (SlashCommand c : values()) {
            if (c != NONE && c.word.equals(w)) {
                return c;
            }
        }
        return NONE;
    }

    /** How it is typed, for example {@code /cost}. */
    public String word() {
        return word;
    }

    /** What it does, for {@code /help}. */
    public String help() {
        return help;
    }
}
