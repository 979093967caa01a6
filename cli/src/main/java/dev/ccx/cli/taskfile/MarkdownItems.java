// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the top-level list items of a Markdown text, each with the line of its marker and its text: the first line
 * after the marker (and checkbox), then its continuation lines. Everything else (headings, paragraphs, HTML comments,
 * fenced code blocks, thematic breaks) is skipped. This is the subset of CommonMark that task lists use, not a full
 * parser; docs/task-files.md states the rules. One instance reads one text.
 */
final class MarkdownItems {
    /** A list item: the 1-based line of its marker and its text, which may be blank. */
    record Item(int line, String text) {
    }

    private static final Pattern MARKER = Pattern.compile("^([ \\t]*)([-*+]|\\d{1,9}[.)])([ \\t]+|$)");
    private static final Pattern CHECKBOX = Pattern.compile("^\\[[ xX]](?:[ \\t]+|$)");
    private static final Pattern THEMATIC_BREAK = Pattern.compile("^ {0,3}([-*_])(?:[ \\t]*\\1){2,}[ \\t]*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})(.*)$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}(?:[ \\t]|$)");
    private static final Pattern COMMENT = Pattern.compile("^ {0,3}<!--");

    private final String source;
    private final List<Item> items = new ArrayList<>();
    private ItemBuilder current;
    private String fence;
    private int openedAt;
    private boolean inComment;

    private MarkdownItems(String source) {
        this.source = source;
    }

    /**
     * The list items of {@code lines} (the file split at line ends), in order.
     *
     * @throws TaskFileException when a code block or HTML comment outside the items is never closed: it would
     *                           silently hide every task after it
     */
    static List<Item> scan(String source, List<String> lines) throws TaskFileException {
        MarkdownItems scanner = new MarkdownItems(source);
        for (int i = 0; i < lines.size(); i++) {
            scanner.accept(i + 1, lines.get(i));
        }
        return scanner.finish();
    }

    private void accept(int lineNo, String line) {
        if (fence != null) {
            if (closesFence(line)) {
                fence = null;
            }
        } else if (inComment) {
            inComment = !line.contains("-->");
        } else if (line.isBlank()) {
            if (current != null) {
                current.blank();
            }
        } else if (current == null || !current.takes(line)) {
            endItem();
            outside(lineNo, line);
        }
    }

    /** A line that no item takes: a new item, or the start of something skipped. */
    private void outside(int lineNo, String line) {
        Matcher fenceStart = FENCE.matcher(line);
        Matcher marker = MARKER.matcher(line);
        if (isFence(fenceStart)) {
            fence = fenceStart.group(1);
            openedAt = lineNo;
        } else if (COMMENT.matcher(line).find()) {
            inComment = !line.substring(line.indexOf("<!--") + 4).contains("-->");
            openedAt = lineNo;
        } else if (!THEMATIC_BREAK.matcher(line).matches() && marker.find()) {
            int markerEnd = Columns.width(line.substring(0, marker.end(2)));
            int gap = Columns.width(line.substring(0, marker.end(3))) - markerEnd;
            // As in CommonMark: text starts 1 to 4 columns after the marker; a wider gap counts as one column.
            int contentIndent = markerEnd + (gap < 1 || gap > 4 ? 1 : gap);
            String first = CHECKBOX.matcher(line.substring(marker.end())).replaceFirst("");
            current = new ItemBuilder(lineNo, Columns.width(marker.group(1)), contentIndent, first);
        }
        // Headings, paragraphs and thematic breaks are not tasks.
    }

    private List<Item> finish() throws TaskFileException {
        if (fence != null) {
            throw new TaskFileException(source, openedAt, 0, "the code block opened here with " + fence
                    + " is never closed, so it hides the rest of the file");
        }
        if (inComment) {
            throw new TaskFileException(source, openedAt, 0, "the HTML comment opened here with <!-- is never"
                    + " closed (-->), so it hides the rest of the file");
        }
        endItem();
        return List.copyOf(items);
    }

    private void endItem() {
        if (current != null) {
            items.add(new Item(current.line, current.text()));
            current = null;
        }
    }

    /** Whether a {@link #FENCE} match opens a code block: a backtick fence's info string has no backquote. */
    private static boolean isFence(Matcher m) {
        return m.matches() && !(m.group(1).charAt(0) == '`' && m.group(2).indexOf('`') >= 0);
    }

    private boolean closesFence(String line) {
        String s = line.strip();
        return line.indexOf(s) <= 3 && s.length() >= fence.length()
                && s.chars().allMatch(c -> c == fence.charAt(0));
    }

    /** Whether {@code line} may continue an item lazily: CommonMark's blocks that interrupt a paragraph may not. */
    private static boolean lazyAllowed(String line) {
        return !HEADING.matcher(line).find() && !isFence(FENCE.matcher(line)) && !COMMENT.matcher(line).find()
                && !THEMATIC_BREAK.matcher(line).matches() && !MARKER.matcher(line).find();
    }

    /** The item being read. */
    private static final class ItemBuilder {
        final int line;
        final int indent;
        final int contentIndent;
        final List<String> lines = new ArrayList<>();
        int pendingBlanks;

        ItemBuilder(int line, int indent, int contentIndent, String first) {
            this.line = line;
            this.indent = indent;
            this.contentIndent = contentIndent;
            lines.add(first.strip());
        }

        void blank() {
            pendingBlanks++;
        }

        /**
         * Takes {@code line} if it belongs to the item: indented past the item's marker (a nested item included),
         * or, right after a text line, any line that does not start a block of its own (a lazy continuation).
         */
        boolean takes(String line) {
            int width = Columns.width(Columns.leading(line));
            if (width > indent) {
                add(Columns.dropColumns(line, contentIndent));
                return true;
            }
            if (pendingBlanks == 0 && lazyAllowed(line)) {
                add(line.strip());
                return true;
            }
            return false;
        }

        private void add(String text) {
            for (; pendingBlanks > 0; pendingBlanks--) {
                lines.add("");
            }
            lines.add(text.stripTrailing());
        }

        String text() {
            return String.join("\n", lines).strip();
        }
    }
}
