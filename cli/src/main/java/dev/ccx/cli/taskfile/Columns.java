// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

/** Indentation measured in columns, with tab stops every 4 columns as in CommonMark. */
final class Columns {
    private static final int TAB = 4;

    private Columns() {
    }

    /** The leading spaces and tabs of {@code line}. */
    static String leading(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return line.substring(0, i);
    }

    /** How many columns {@code text} spans from the start of a line. */
    static int width(String text) {
        int col = 0;
        for (int i = 0; i < text.length(); i++) {
            col = text.charAt(i) == '\t' ? col + TAB - col % TAB : col + 1;
        }
        return col;
    }

    /**
     * {@code line} without up to {@code columns} columns of leading white space (a tab that reaches past them too);
     * deeper indentation is kept.
     */
    static String dropColumns(String line, int columns) {
        int col = 0;
        int i = 0;
        while (i < line.length() && col < columns && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            int next = line.charAt(i) == '\t' ? col + TAB - col % TAB : col + 1;
            if (next > columns) {
                // A tab across the cut is how the line was indented to the text, not extra indentation: drop it.
                return line.substring(i + 1);
            }
            col = next;
            i++;
        }
        return line.substring(i);
    }
}
