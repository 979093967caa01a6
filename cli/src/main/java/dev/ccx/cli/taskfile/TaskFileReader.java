// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.client.claude.ClaudeTask;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads task files for {@code ccx batch} and {@code ccx tasks}; the formats are specified in
 * {@code docs/task-files.md}. A file is JSON when its name ends in {@code .json} or its first non-blank character is
 * {@code [} or <code>{</code>; anything else is Markdown, or one task per line when it has no list items.
 *
 * <p>Every failure is a {@link TaskFileException} whose message starts with {@code FILE:LINE:} (and {@code COL:} when
 * known): a file that cannot be read, invalid JSON, an unknown key or a value of the wrong type, a blank task, or a
 * file without tasks. Nothing is half-read: either all tasks come back or none.
 *
 * <p>Immutable and thread-safe; one reader can read many files.
 */
public final class TaskFileReader {
    /** The prompt of the template used when none is given; every prompt task replaces it. */
    public static final String PLACEHOLDER_PROMPT = "(replaced by each prompt of the task file)";

    private static final String FORMATS = "expected a JSON array of tasks or an object with \"tasks\", a Markdown"
            + " list with one task per item, or one task per line";

    private final TaskKind defaultKind;
    private final ClaudeTask template;
    private final String defaultCwd;

    /**
     * A reader whose prompt tasks are copies of {@code claudeTemplate} with their own prompt.
     *
     * @param defaultKind    what a task written as bare text is: a string in JSON, a list item or a line
     * @param claudeTemplate the Claude run every prompt task starts from (executable, model, tools, permission mode,
     *                       schema, timeouts, env, retry...), its prompt a placeholder; {@code null} for
     *                       {@code claude} with its defaults. Its env is the base env of command tasks too.
     * @param defaultCwd     working directory of tasks for which the file names none, or {@code null} for the
     *                       server's; used as given
     * @throws NullPointerException if {@code defaultKind} is {@code null}
     */
    public TaskFileReader(TaskKind defaultKind, ClaudeTask claudeTemplate, String defaultCwd) {
        this.defaultKind = Objects.requireNonNull(defaultKind, "defaultKind");
        this.template = claudeTemplate != null ? claudeTemplate : ClaudeTask.of(PLACEHOLDER_PROMPT);
        this.defaultCwd = defaultCwd;
    }

    /**
     * Reads {@code file} as UTF-8. Relative {@code cwd} values in it are resolved against the file's directory.
     *
     * @throws TaskFileException when the file does not exist, is a directory, cannot be read or is not UTF-8 text
     *                           (the message is {@code FILE: what}), or for any error that {@link #parse} reports
     */
    public TaskFile read(Path file) throws TaskFileException {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new TaskFileException(source, "is a directory, not a task file", null);
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new TaskFileException(source, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new TaskFileException(source, "cannot read: permission denied", e);
        } catch (CharacterCodingException e) {
            throw new TaskFileException(source, "cannot read: not UTF-8 text", e);
        } catch (IOException e) {
            throw new TaskFileException(source, "cannot read: " + e, e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(source, text, dir);
    }

    /**
     * {@link #parse(String, String, Path)} with relative {@code cwd} values resolved against this process's
     * working directory: for text read from stdin.
     */
    public TaskFile parse(String name, String text) throws TaskFileException {
        return parse(name, text, Path.of(""));
    }

    /**
     * Reads {@code text} as a task file called {@code name} (the name picks JSON when it ends in {@code .json}, and
     * starts every message).
     *
     * @param baseDir the directory relative {@code cwd} values in the text are resolved against
     * @throws TaskFileException when the text has no tasks ({@code FILE: no tasks found (expected ...)}), or for a
     *                           syntax error, unknown key, wrong type or blank task at {@code FILE:LINE[:COL]}
     */
    public TaskFile parse(String name, String text, Path baseDir) throws TaskFileException {
        Objects.requireNonNull(name, "name");
        // An editor's byte order mark is not part of the text.
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (body.isBlank()) {
            throw noTasks(name);
        }
        TaskFactory factory = new TaskFactory(template, defaultCwd, baseDir.toAbsolutePath().normalize());
        if (name.toLowerCase(Locale.ROOT).endsWith(".json")) {
            return new JsonTaskFile(name, defaultKind, factory).read(body, "");
        }
        char first = body.strip().charAt(0);
        if (first == '[' || first == '{') {
            String hint = " (read as JSON because the text starts with '" + first + "')";
            return new JsonTaskFile(name, defaultKind, factory).read(body, hint);
        }
        return new MarkdownTaskFile(name, defaultKind, factory).read(body);
    }

    /** The error for a file that is readable but holds no task. */
    static TaskFileException noTasks(String source) {
        return new TaskFileException(source, "no tasks found (" + FORMATS + ")", null);
    }
}
