// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import java.util.Objects;

/**
 * A task file that cannot be used: not readable, not well-formed, or asking for something that is not allowed. The
 * message is always {@code FILE: detail}, {@code FILE:LINE: detail} or {@code FILE:LINE:COL: detail}, the form
 * compilers use, so editors and terminals can jump to the place. The detail names the task ({@code task 3 (line 14)}),
 * the key, what was expected and what was found.
 */
public final class TaskFileException extends Exception {
    private final String file;
    private final int line;
    private final int column;
    private final String detail;

    /**
     * An error at a place in {@code file}.
     *
     * @param line   1-based line, or 0 when the error is about the whole file
     * @param column 1-based column, or 0 when not known
     */
    TaskFileException(String file, int line, int column, String detail) {
        this(file, line, column, detail, null);
    }

    /** An error about the whole file, such as one that cannot be read. */
    TaskFileException(String file, String detail, Throwable cause) {
        this(file, 0, 0, detail, cause);
    }

    private TaskFileException(String file, int line, int column, String detail, Throwable cause) {
        super(format(file, line, column, detail), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.column = line > 0 ? column : 0;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    private static String format(String file, int line, int column, String detail) {
        StringBuilder b = new StringBuilder(file);
        if (line > 0) {
            b.append(':').append(line);
            if (column > 0) {
                b.append(':').append(column);
            }
        }
        return b.append(": ").append(detail).toString();
    }

    /** The file as named in the message. */
    public String file() {
        return file;
    }

    /** The 1-based line of the error, or 0 when it is about the whole file. */
    public int line() {
        return line;
    }

    /** The 1-based column of the error, or 0 when not known. */
    public int column() {
        return column;
    }

    /** The message without the {@code FILE:LINE:COL: } prefix. */
    public String detail() {
        return detail;
    }
}
