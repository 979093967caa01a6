// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.client.Task;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.PromptWrapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Reads the JSON form of a task file: an array of tasks, or an object with {@code "tasks"} and settings for the whole
 * file (docs/task-files.md). Strict: unknown keys and wrong types are errors at their line and column, so a typo
 * never passes silently. One instance reads one file: it keeps that file's settings while it makes the tasks.
 */
final class JsonTaskFile {
    static final List<String> FILE_KEYS = List.of("tasks", "stop_on_failure", "timeout", "max_concurrent", "cwd",
            "env", "claude");
    private static final List<String> WHAT = List.of("command", "argv", "prompt");
    private static final List<String> PROMPT_ONLY = Stream.concat(Stream.of("schema"), ClaudeOptions.KEYS.stream())
            .toList();
    static final List<String> TASK_KEYS = Stream.of(List.of("name"), WHAT,
            List.of("timeout", "idle_timeout", "cwd", "env"), PROMPT_ONLY).flatMap(List::stream).toList();

    private final String source;
    private final TaskKind defaultKind;
    private final TaskFactory factory;
    private String fileCwd;
    private Map<String, String> fileEnv = Map.of();
    private UnaryOperator<ClaudeCommand> fileClaude = UnaryOperator.identity();

    JsonTaskFile(String source, TaskKind defaultKind, TaskFactory factory) {
        this.source = source;
        this.defaultKind = defaultKind;
        this.factory = factory;
    }

    /**
     * @param hint added to syntax errors to say why the text was taken for JSON
     * @throws TaskFileException on any error; see the class comment
     */
    TaskFile read(String text, String hint) throws TaskFileException {
        LocatedJson root = LocatedJson.parse(source, text, hint);
        if (root.node().isArray()) {
            return new TaskFile(source, TaskFile.Format.JSON, tasks(root), null, null, null);
        }
        if (!root.node().isObject()) {
            throw new TaskFileException(source, root.line(), root.column(), "expected an array of tasks or an object"
                    + " with \"tasks\", got " + JsonFields.shown(root.node()));
        }
        JsonFields f = new JsonFields(source, root, "");
        f.allowOnly(FILE_KEYS);
        LocatedJson tasks = f.get("tasks");
        if (tasks == null || !tasks.node().isArray()) {
            throw f.error(tasks == null ? root : tasks, "\"tasks\" must be an array of tasks, got "
                    + (tasks == null ? "none" : JsonFields.shown(tasks.node())));
        }
        Boolean stopOnFailure = f.bool("stop_on_failure");
        Duration timeout = f.seconds("timeout");
        Integer maxConcurrent = f.positiveInt("max_concurrent");
        fileCwd = f.string("cwd");
        fileEnv = orEmpty(f.env("env"));
        LocatedJson claude = f.get("claude");
        if (claude != null) {
            if (!claude.node().isObject()) {
                throw f.error(claude, "\"claude\" must be an object of Claude options, got "
                        + JsonFields.shown(claude.node()));
            }
            JsonFields c = new JsonFields(source, claude, "\"claude\"");
            c.allowOnly(ClaudeOptions.KEYS);
            fileClaude = ClaudeOptions.read(c);
        }
        return new TaskFile(source, TaskFile.Format.JSON, tasks(tasks), stopOnFailure, timeout, maxConcurrent);
    }

    private List<TaskSpec> tasks(LocatedJson array) throws TaskFileException {
        List<TaskSpec> specs = new ArrayList<>();
        for (LocatedJson item : array.items()) {
            specs.add(task(specs.size() + 1, item));
        }
        if (specs.isEmpty()) {
            throw TaskFileReader.noTasks(source);
        }
        return specs;
    }

    private TaskSpec task(int n, LocatedJson item) throws TaskFileException {
        JsonFields f = new JsonFields(source, item, "task " + n + " (line " + item.line() + ")");
        try {
            if (item.node().isString()) {
                String text = item.node().stringValue();
                if (text.isBlank()) {
                    throw f.error(item, "the task is blank");
                }
                Overrides o = new Overrides(null, null, fileCwd, fileEnv, null, fileClaude);
                return new TaskSpec(item.line(), TaskSpec.shortName(text), factory.of(defaultKind, text, o));
            }
            if (item.node().isObject()) {
                return objectTask(f, item);
            }
            throw f.error(item, "a task must be a string or an object, got " + JsonFields.shown(item.node()));
        } catch (IllegalArgumentException e) {
            // A value the client types refuse that the checks here let through: still name the task.
            throw f.error(item, e.getMessage());
        }
    }

    private TaskSpec objectTask(JsonFields f, LocatedJson item) throws TaskFileException {
        f.allowOnly(TASK_KEYS);
        List<String> given = WHAT.stream().filter(f::has).toList();
        if (given.size() != 1) {
            throw f.error(item, "a task needs exactly one of \"command\", \"argv\" and \"prompt\", found "
                    + (given.isEmpty() ? "none" : given.stream().map(JsonFields::quote)
                    .collect(Collectors.joining(" and "))));
        }
        String what = given.getFirst();
        if (!what.equals("prompt")) {
            for (String key : PROMPT_ONLY) {
                if (f.has(key)) {
                    throw f.error(f.get(key), JsonFields.quote(key) + " is for prompt tasks only; this task has "
                            + JsonFields.quote(what));
                }
            }
        }
        Overrides o = overrides(f, what.equals("prompt"));
        String name = f.string("name");
        String text;
        Task task;
        switch (what) {
            case "command" -> {
                text = f.string("command");
                task = factory.shell(text, o);
            }
            case "argv" -> {
                List<String> argv = f.strings("argv", true, false);
                if (argv.getFirst().isBlank()) {
                    throw f.error(f.get("argv").items().getFirst(), "\"argv\"[0] is blank; it names the program");
                }
                text = String.join(" ", argv);
                task = factory.argv(argv, o);
            }
            default -> {
                text = f.string("prompt");
                task = factory.prompt(text, o);
            }
        }
        return new TaskSpec(item.line(), name != null ? name : TaskSpec.shortName(text), task);
    }

    /** The task's settings over the file's: env merged key by key, everything else replaced when the task sets it. */
    private Overrides overrides(JsonFields f, boolean prompt) throws TaskFileException {
        Map<String, String> env = new LinkedHashMap<>(fileEnv);
        env.putAll(orEmpty(f.env("env")));
        String cwd = f.string("cwd");
        return new Overrides(f.seconds("timeout"), f.seconds("idle_timeout"), cwd == null ? fileCwd : cwd, env,
                schema(f), prompt ? andThen(fileClaude, ClaudeOptions.read(f)) : fileClaude);
    }

    /** {@code "schema"}: an object is the schema itself; {@code true} asks for the default one. */
    private static JsonNode schema(JsonFields f) throws TaskFileException {
        LocatedJson v = f.get("schema");
        if (v == null) {
            return null;
        }
        if (v.node().isObject()) {
            return v.node();
        }
        if (v.node().isBoolean() && v.node().booleanValue()) {
            return PromptWrapper.defaultSchema();
        }
        throw f.error(v, "\"schema\" must be a JSON schema object, or true for the default schema, got "
                + JsonFields.shown(v.node()));
    }

    private static UnaryOperator<ClaudeCommand> andThen(UnaryOperator<ClaudeCommand> first,
                                                        UnaryOperator<ClaudeCommand> then) {
        return c -> then.apply(first.apply(c));
    }

    private static Map<String, String> orEmpty(Map<String, String> env) {
        return env == null ? Map.of() : env;
    }
}
