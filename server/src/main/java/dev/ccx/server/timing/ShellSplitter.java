// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a shell string into simple commands and their words, the way a POSIX shell would for the purpose of
 * naming the program: quotes and backslashes are removed, {@code $(...)} and backquotes stay inside their word
 * (unexpanded), redirections and their targets are dropped, here-documents and here-strings become the
 * command's {@code stdin}, comments are skipped. Unbalanced quotes run to the end of the text. Linear time; only
 * the first {@value #MAX_COMMANDS} simple commands are returned.
 */
final class ShellSplitter {
    /** No real command line has more; the cap bounds the work on pathological input. */
    static final int MAX_COMMANDS = 1_000;

    /** One simple command: its words and, if a here-document or here-string feeds it, that text. */
    static final class Command {
        final List<String> words = new ArrayList<>();
        String stdin;
    }

    private enum Redirect { NONE, TARGET, HEREDOC, HERESTRING }

    private record Heredoc(String delimiter, boolean stripTabs, Command command) {
    }

    private final String s;
    private int i;
    private final List<Command> commands = new ArrayList<>();
    private Command command = new Command();
    private final StringBuilder word = new StringBuilder();
    private boolean inWord;
    private boolean quoted;
    private Redirect pending = Redirect.NONE;
    private boolean pendingStripTabs;
    private final List<Heredoc> heredocs = new ArrayList<>();

    ShellSplitter(String s) {
        this.s = s;
    }

    List<Command> split() {
        int n = s.length();
        while (i < n && commands.size() < MAX_COMMANDS) {
            char c = s.charAt(i);
            switch (c) {
                case ' ', '\t', '\r' -> {
                    endWord();
                    i++;
                }
                case '\n' -> {
                    endWord();
                    endCommand();
                    i++;
                    readHeredocBodies();
                }
                case ';', '|', '(', ')' -> {
                    endWord();
                    endCommand();
                    i++;
                }
                case '&' -> {
                    endWord();
                    if (i + 1 < n && s.charAt(i + 1) == '>') {
                        i++;
                        redirect(); // &> file
                    } else {
                        endCommand();
                        i++;
                    }
                }
                case '<', '>' -> redirect();
                case '\'' -> singleQuoted();
                case '"' -> doubleQuoted();
                case '\\' -> escaped();
                case '`' -> backquoted();
                case '#' -> {
                    if (inWord) {
                        append(c);
                    } else {
                        int nl = s.indexOf('\n', i);
                        i = nl < 0 ? n : nl;
                    }
                }
                case '$' -> {
                    if (i + 1 < n && s.charAt(i + 1) == '(') {
                        substitution();
                    } else {
                        append(c);
                    }
                }
                default -> append(c);
            }
        }
        endWord();
        endCommand();
        return commands;
    }

    private void append(char c) {
        word.append(c);
        inWord = true;
        i++;
    }

    private void redirect() {
        if (inWord && !quoted && isDescriptor(word)) {
            word.setLength(0); // the descriptor of 2>&1
            inWord = false;
        } else {
            endWord();
        }
        int n = s.length();
        if (s.startsWith("<<<", i)) {
            i += 3;
            pending = Redirect.HERESTRING;
        } else if (s.startsWith("<<", i)) {
            i += 2;
            pendingStripTabs = i < n && s.charAt(i) == '-';
            if (pendingStripTabs) {
                i++;
            }
            pending = Redirect.HEREDOC;
        } else {
            i++;
            while (i < n && "<>&|".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            pending = Redirect.TARGET;
        }
    }

    private void singleQuoted() {
        inWord = true;
        quoted = true;
        int end = s.indexOf('\'', i + 1);
        if (end < 0) {
            word.append(s, i + 1, s.length());
            i = s.length();
        } else {
            word.append(s, i + 1, end);
            i = end + 1;
        }
    }

    private void doubleQuoted() {
        inWord = true;
        quoted = true;
        i++;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return;
            }
            if (c == '\\' && i + 1 < n) {
                char d = s.charAt(i + 1);
                if (d == '\n') {
                    i += 2; // line continuation
                    continue;
                }
                if ("\"\\$`".indexOf(d) >= 0) {
                    word.append(d);
                    i += 2;
                    continue;
                }
            }
            word.append(c);
            i++;
        }
    }

    private void escaped() {
        if (i + 1 >= s.length()) {
            append('\\');
            return;
        }
        char d = s.charAt(i + 1);
        i += 2;
        if (d != '\n') { // backslash-newline joins lines and makes no word
            word.append(d);
            inWord = true;
            quoted = true;
        }
    }

    private void backquoted() {
        int end = s.indexOf('`', i + 1);
        int stop = end < 0 ? s.length() : end + 1;
        word.append(s, i, stop);
        inWord = true;
        i = stop;
    }

    private void substitution() {
        int n = s.length();
        int depth = 0;
        int start = i;
        i++; // at '('
        while (i < n) {
            char c = s.charAt(i++);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                break;
            }
        }
        word.append(s, start, i);
        inWord = true;
    }

    private void endWord() {
        if (!inWord) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        inWord = false;
        quoted = false;
        switch (pending) {
            case NONE -> command.words.add(w);
            case TARGET -> { } // a redirection target is not an argument
            case HEREDOC -> heredocs.add(new Heredoc(w, pendingStripTabs, command));
            case HERESTRING -> command.stdin = w;
        }
        pending = Redirect.NONE;
    }

    private void endCommand() {
        if (!command.words.isEmpty()) {
            commands.add(command);
        }
        command = new Command();
        pending = Redirect.NONE;
    }

    /** After a newline: the bodies of the here-documents opened on the line just ended. */
    private void readHeredocBodies() {
        int n = s.length();
        for (Heredoc h : heredocs) {
            StringBuilder body = new StringBuilder();
            while (i < n) {
                int nl = s.indexOf('\n', i);
                int end = nl < 0 ? n : nl;
                String line = s.substring(i, end);
                i = nl < 0 ? n : nl + 1;
                if (h.stripTabs()) {
                    line = line.replaceFirst("^\t+", "");
                }
                if (line.equals(h.delimiter())) {
                    break;
                }
                body.append(line).append('\n');
            }
            if (h.command().stdin == null) {
                h.command().stdin = body.toString();
            }
        }
        heredocs.clear();
    }

    /** A word of digits only, such as the 2 of {@code 2>&1}: a descriptor number, not an argument. */
    private static boolean isDescriptor(CharSequence w) {
        if (w.isEmpty()) {
            return false;
        }
        for (int k = 0; k < w.length(); k++) {
            if (w.charAt(k) < '0' || w.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }
}
