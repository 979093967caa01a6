// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.cli.taskfile.MarkdownItems.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a task file that is not JSON: each top-level Markdown list item is a task; a text without list items has one
 * task per line, {@code #} lines being comments. No per-task options: every task gets the reader's defaults. An item
 * or line that is one inline code span, or starts with {@code "$ "}, is a shell command whatever the default kind.
 */
final class MarkdownTaskFile {
    private static final Pattern BACKTICKS = Pattern.compile("`+");

    private final String source;
    private final TaskKind defaultKind;
    private final TaskFactory factory;

    MarkdownTaskFile(String source, TaskKind defaultKind, TaskFactory factory) {
        this.source = source;
        this.defaultKind = defaultKind;
        this.factory = factory;
    }

    /** @throws TaskFileException for a blank item, an unclosed block, or a text without tasks */
    TaskFile read(String text) throws TaskFileException {
        List<String> lines = text.lines().toList();
        List<Item> items = MarkdownItems.scan(source, lines);
        TaskFile.Format format = TaskFile.Format.MARKDOWN;
        if (items.isEmpty()) {
            items = plainLines(lines);
            format = TaskFile.Format.LINES;
        }
        if (items.isEmpty()) {
            throw TaskFileReader.noTasks(source);
        }
        List<TaskSpec> specs = new ArrayList<>();
        for (Item item : items) {
            specs.add(spec(specs.size() + 1, item));
        }
        return new TaskFile(source, format, specs, null, null, null);
    }

    /** One task per line that is neither blank nor a comment, as GNU parallel and xargs read their input. */
    private static List<Item> plainLines(List<String> lines) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                items.add(new Item(i + 1, s));
            }
        }
        return items;
    }

    private TaskSpec spec(int n, Item item) throws TaskFileException {
        String text = item.text();
        if (text.isBlank()) {
            throw error(item, "task " + n + " is blank: the list item has no text");
        }
        String code = codeSpan(text);
        if (code == null && (text.startsWith("$ ") || text.equals("$"))) {
            code = text.substring(1).strip();
        }
        if (code == null) {
            return new TaskSpec(item.line(), TaskSpec.shortName(text), factory.of(defaultKind, text,
                    Overrides.NONE));
        }
        if (code.isBlank()) {
            throw error(item, "task " + n + " is a blank command: " + TaskSpec.shortName(text));
        }
        return new TaskSpec(item.line(), TaskSpec.shortName(code), factory.shell(code, Overrides.NONE));
    }

    private TaskFileException error(Item item, String detail) {
        return new TaskFileException(source, item.line(), 0, detail);
    }

    /**
     * The content of {@code text} when all of it is one inline code span ({@code `make test`}, or
     * {@code ``grep `x` f``} for a command with backquotes), else {@code null}. As in CommonMark, one space just
     * inside each end is dropped when both are there.
     */
    static String codeSpan(String text) {
        int n = 0;
        while (n < text.length() && text.charAt(n) == '`') {
            n++;
        }
        if (n == 0 || text.length() < 2 * n + 1) {
            return null;
        }
        String inner = text.substring(n, text.length() - n);
        if (!text.endsWith("`".repeat(n)) || inner.startsWith("`") || inner.endsWith("`")) {
            return null;
        }
        // A run of exactly n backquotes inside would close the span early: then the text is more than one span.
        Matcher runs = BACKTICKS.matcher(inner);
        while (runs.find()) {
            if (runs.group().length() == n) {
                return null;
            }
        }
        if (inner.length() > 2 && inner.startsWith(" ") && inner.endsWith(" ") && !inner.isBlank()) {
            inner = inner.substring(1, inner.length() - 1);
        }
        return inner;
    }
}
