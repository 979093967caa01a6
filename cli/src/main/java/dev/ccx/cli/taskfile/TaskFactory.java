// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.client.Command;
import dev.ccx.client.Task;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeTask;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the client tasks of a task file, whatever its format: commands from scratch, prompts from the Claude
 * template, each with the file's {@link Overrides}. Values that the client types refuse fail with their
 * {@link IllegalArgumentException}; the format readers check first, so that only happens for values they do not know.
 */
final class TaskFactory {
    private final ClaudeTask template;
    private final String defaultCwd;
    private final Path baseDir;

    /**
     * @param template   the Claude run every prompt starts from; its prompt is replaced
     * @param defaultCwd working directory of tasks the file gives none, or {@code null} for the server's
     * @param baseDir    absolute directory that relative {@code cwd} values in the file are resolved against
     */
    TaskFactory(ClaudeTask template, String defaultCwd, Path baseDir) {
        this.template = template;
        this.defaultCwd = defaultCwd;
        this.baseDir = baseDir;
    }

    /** A shell command line or a prompt, as {@code kind} says. */
    Task of(TaskKind kind, String text, Overrides o) {
        return kind == TaskKind.COMMAND ? shell(text, o) : prompt(text, o);
    }

    Command shell(String line, Overrides o) {
        return withOverrides(Command.shell(line), o);
    }

    Command argv(List<String> argv, Overrides o) {
        return withOverrides(Command.argv(argv), o);
    }

    /**
     * The template run with {@code text} as its prompt. The file's values win over the template's; the template's
     * env is kept under the file's; a task without a cwd in the file gets the default cwd, else the template's.
     */
    ClaudeTask prompt(String text, Overrides o) {
        ClaudeCommand command = o.claude().apply(template.command().prompt(text));
        ClaudeTask t = template.command(command);
        if (o.schema() != null) {
            t = t.schema(o.schema());
        }
        if (o.timeout() != null) {
            t = t.timeout(o.timeout());
        }
        if (o.idleTimeout() != null) {
            t = t.idleTimeout(o.idleTimeout());
        }
        String cwd = cwd(o.cwd());
        if (cwd != null) {
            t = t.cwd(cwd);
        }
        return t.env(env(o));
    }

    private Command withOverrides(Command c, Overrides o) {
        return c.timeout(o.timeout()).idleTimeout(o.idleTimeout()).cwd(cwd(o.cwd())).env(env(o));
    }

    /** The template's env (the command line's {@code --env}) with the file's over it, for every kind of task. */
    private Map<String, String> env(Overrides o) {
        Map<String, String> env = new LinkedHashMap<>(template.env());
        env.putAll(o.env());
        return env;
    }

    /** A cwd from the file, resolved against the file's directory so that task files can be moved with their tree. */
    private String cwd(String written) {
        return written == null ? defaultCwd : baseDir.resolve(written).normalize().toString();
    }
}
