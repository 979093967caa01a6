// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.Command;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeCommand.PermissionMode;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.PromptWrapper;
import dev.ccx.protocol.Wire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTaskFileTest {
    private static final Path BASE = Path.of("/work/proj");
    private static final ClaudeTask TEMPLATE = ClaudeTask.of(ClaudeCommand.of("placeholder").model("haiku")
            .allowedTools(List.of("Read")).permissionMode(PermissionMode.DONT_ASK))
            .env(Map.of("HOME", "/home/ci", "CI", "template"));

    private static TaskFile commands(String json) throws TaskFileException {
        return new TaskFileReader(TaskKind.COMMAND, TEMPLATE, null).parse("tasks.json", json, BASE);
    }

    private static TaskFile prompts(String json) throws TaskFileException {
        return new TaskFileReader(TaskKind.PROMPT, TEMPLATE, null).parse("tasks.json", json, BASE);
    }

    private static Command command(TaskFile f, int i) {
        return (Command) f.tasks().get(i).task();
    }

    private static ClaudeTask prompt(TaskFile f, int i) {
        return (ClaudeTask) f.tasks().get(i).task();
    }

    private static String error(String json) {
        try {
            commands(json);
        } catch (TaskFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + json);
    }

    @Test
    void stringsAreShellCommandsWhenTheDefaultKindIsCommand() throws Exception {
        TaskFile f = commands("[\"make build\", \"make test\"]");

        assertThat(f.format()).isEqualTo(TaskFile.Format.JSON);
        assertThat(f.tasks()).extracting(TaskSpec::task)
                .containsExactly(Command.shell("make build").env(TEMPLATE.env()),
                        Command.shell("make test").env(TEMPLATE.env()));
        assertThat(f.tasks()).extracting(TaskSpec::name).containsExactly("make build", "make test");
        assertThat(f.stopOnFailure()).isNull();
        assertThat(f.timeout()).isNull();
        assertThat(f.maxConcurrent()).isNull();
    }

    @Test
    void stringsArePromptsFromTheTemplateWhenTheDefaultKindIsPrompt() throws Exception {
        TaskFile f = prompts("[\"Fix the build\"]");

        ClaudeTask t = prompt(f, 0);
        assertThat(t.command()).isEqualTo(TEMPLATE.command().prompt("Fix the build"));
        assertThat(t.env()).isEqualTo(TEMPLATE.env());
        assertThat(t.schema()).isNull();
        assertThat(t.retry()).isEqualTo(TEMPLATE.retry());
    }

    @Test
    void theMarkdownCommandRulesDoNotApplyToJsonStrings() throws Exception {
        TaskFile f = prompts("[\"$ make\", \"`make`\"]");

        assertThat(prompt(f, 0).command().prompt()).isEqualTo("$ make");
        assertThat(prompt(f, 1).command().prompt()).isEqualTo("`make`");
    }

    @Test
    void objectsSayWhatTheyAreWhateverTheDefaultKind() throws Exception {
        String json = """
                [{"command": "make test"},
                 {"argv": ["ls", "-la", "my dir"]},
                 {"prompt": "Explain the failure"}]""";

        for (TaskFile f : List.of(commands(json), prompts(json))) {
            assertThat(command(f, 0)).isEqualTo(Command.shell("make test").env(TEMPLATE.env()));
            assertThat(command(f, 1)).isEqualTo(Command.argv("ls", "-la", "my dir").env(TEMPLATE.env()));
            assertThat(prompt(f, 2).command().prompt()).isEqualTo("Explain the failure");
            assertThat(f.tasks()).extracting(TaskSpec::name)
                    .containsExactly("make test", "ls -la my dir", "Explain the failure");
        }
    }

    @Test
    void everyTaskKnowsTheLineItStartsOn() throws Exception {
        TaskFile f = commands("""
                {
                  "timeout": 5,
                  "tasks": [
                    "first",

                    {
                      "name": "second",
                      "command": "two"
                    }, "third",
                    {"argv": ["four"]}
                  ]
                }
                """);

        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(4, 6, 9, 10);
    }

    @Test
    void fileLevelSettingsAreReturnedForTheCaller() throws Exception {
        TaskFile f = commands("""
                {"stop_on_failure": true, "timeout": 1.5, "max_concurrent": 3, "tasks": ["true"]}""");

        assertThat(f.stopOnFailure()).isTrue();
        assertThat(f.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(f.maxConcurrent()).isEqualTo(3);
        // The file's timeout is a default for the run, not copied into each task.
        assertThat(command(f, 0).timeout()).isNull();
    }

    @Test
    void taskTimeoutsAreSecondsWithFractions() throws Exception {
        TaskFile f = commands("""
                [{"command": "a", "timeout": 600, "idle_timeout": 0.25},
                 {"prompt": "b", "timeout": 2.5, "idle_timeout": 30}]""");

        assertThat(command(f, 0).timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(command(f, 0).idleTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(prompt(f, 1).timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(prompt(f, 1).idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void relativeCwdResolvesAgainstTheFilesDirectoryAndTaskCwdReplacesTheFiles() throws Exception {
        TaskFile f = new TaskFileReader(TaskKind.COMMAND, TEMPLATE, "/default").parse("tasks.json", """
                {"cwd": "sub/../build", "tasks": [
                  "a",
                  {"command": "b", "cwd": "/abs/dir"},
                  {"command": "c", "cwd": "../other"},
                  {"prompt": "d"}
                ]}""", BASE);

        assertThat(command(f, 0).cwd()).isEqualTo("/work/proj/build");
        assertThat(command(f, 1).cwd()).isEqualTo("/abs/dir");
        assertThat(command(f, 2).cwd()).isEqualTo("/work/other");
        assertThat(prompt(f, 3).cwd()).isEqualTo("/work/proj/build");
    }

    @Test
    void tasksWithoutCwdGetTheDefaultCwdOrNone() throws Exception {
        String json = "[\"a\", {\"prompt\": \"b\"}]";

        TaskFile withDefault = new TaskFileReader(TaskKind.COMMAND, TEMPLATE, "/srv").parse("t.json", json, BASE);
        assertThat(command(withDefault, 0).cwd()).isEqualTo("/srv");
        assertThat(prompt(withDefault, 1).cwd()).isEqualTo("/srv");

        TaskFile without = commands(json);
        assertThat(command(without, 0).cwd()).isNull();
        assertThat(prompt(without, 1).cwd()).isNull();
    }

    @Test
    void aPromptWithoutCwdAnywhereKeepsTheTemplatesCwd() throws Exception {
        TaskFile f = new TaskFileReader(TaskKind.PROMPT, TEMPLATE.cwd("/tmpl"), null).parse("t.json", "[\"p\"]",
                BASE);

        assertThat(prompt(f, 0).cwd()).isEqualTo("/tmpl");
    }

    @Test
    void envIsMergedTemplateThenFileThenTask() throws Exception {
        TaskFile f = commands("""
                {"env": {"CI": "file", "A": "1"}, "tasks": [
                  "plain",
                  {"command": "x", "env": {"A": "2", "B": "3"}},
                  {"prompt": "y", "env": {"B": "4"}}
                ]}""");

        // The template carries the command line's --env: it is the base for command tasks too.
        assertThat(command(f, 0).env()).isEqualTo(Map.of("HOME", "/home/ci", "CI", "file", "A", "1"));
        assertThat(command(f, 1).env()).isEqualTo(Map.of("HOME", "/home/ci", "CI", "file", "A", "2", "B", "3"));
        assertThat(prompt(f, 2).env())
                .isEqualTo(Map.of("HOME", "/home/ci", "CI", "file", "A", "1", "B", "4"));
    }

    @Test
    void schemaTrueMeansTheDefaultSchemaAndAnObjectIsTakenAsIs() throws Exception {
        TaskFile f = commands("""
                [{"prompt": "a", "schema": true},
                 {"prompt": "b", "schema": {"type": "object", "required": ["answer"]}},
                 {"prompt": "c"}]""");

        assertThat(prompt(f, 0).schema()).isEqualTo(PromptWrapper.defaultSchema());
        assertThat(prompt(f, 1).schema().toString()).isEqualTo("{\"type\":\"object\",\"required\":[\"answer\"]}");
        assertThat(prompt(f, 2).schema()).isNull();
    }

    @Test
    void claudeOptionsApplyFileThenTaskOverTheTemplate() throws Exception {
        TaskFile f = commands("""
                {"claude": {"model": "sonnet", "allowed_tools": ["Read", "Edit"], "max_turns": 3},
                 "tasks": [
                   {"prompt": "a"},
                   {"prompt": "b", "model": "opus", "allowed_tools": [], "permission_mode": "acceptEdits"},
                   "c"
                 ]}""");

        ClaudeCommand a = prompt(f, 0).command();
        assertThat(a.model()).isEqualTo("sonnet");
        assertThat(a.allowedTools()).containsExactly("Read", "Edit");
        assertThat(a.maxTurns()).isEqualTo(3);
        assertThat(a.permissionMode()).isEqualTo(PermissionMode.DONT_ASK);

        ClaudeCommand b = prompt(f, 1).command();
        assertThat(b.model()).isEqualTo("opus");
        assertThat(b.allowedTools()).isEmpty();
        assertThat(b.maxTurns()).isEqualTo(3);
        assertThat(b.permissionMode()).isEqualTo(PermissionMode.ACCEPT_EDITS);

        // A string task is a command here, so the Claude options do not reach it.
        assertThat(command(f, 2)).isEqualTo(Command.shell("c").env(TEMPLATE.env()));
    }

    @Test
    void fileClaudeOptionsReachStringPrompts() throws Exception {
        TaskFile f = prompts("{\"claude\": {\"model\": \"sonnet\"}, \"tasks\": [\"a\"]}");

        assertThat(prompt(f, 0).command().model()).isEqualTo("sonnet");
    }

    @Test
    void everyClaudeOptionReachesTheCommand() throws Exception {
        TaskFile f = commands("""
                [{"prompt": "p", "executable": "/opt/claude", "model": "m", "allowed_tools": ["Read"],
                  "disallowed_tools": ["WebFetch"], "permission_mode": "plan", "max_turns": 7,
                  "mcp_config": "mcp.json", "append_system_prompt": "Be brief.",
                  "include_partial_messages": true, "extra_args": ["--add-dir", ""]}]""");

        assertThat(prompt(f, 0).command()).isEqualTo(ClaudeCommand.of("p").executable("/opt/claude").model("m")
                .allowedTools(List.of("Read")).disallowedTools(List.of("WebFetch"))
                .permissionMode(PermissionMode.PLAN).maxTurns(7).mcpConfig("mcp.json")
                .appendSystemPrompt("Be brief.").includePartialMessages(true).extraArgs(List.of("--add-dir", "")));
    }

    @ParameterizedTest
    @CsvSource({"default, DEFAULT", "acceptEdits, ACCEPT_EDITS", "plan, PLAN", "dontAsk, DONT_ASK",
                "bypassPermissions, BYPASS_PERMISSIONS"})
    void permissionModesUseTheCliSpelling(String cli, PermissionMode mode) throws Exception {
        TaskFile f = commands("[{\"prompt\": \"p\", \"permission_mode\": \"" + cli + "\"}]");

        assertThat(prompt(f, 0).command().permissionMode()).isEqualTo(mode);
    }

    @Test
    void givenNamesAreKeptAndLongTextIsShortened() throws Exception {
        String longPrompt = "Read every file under src and then   write\na summary of what each module does, "
                + "with examples";
        TaskFile f = commands("[{\"name\": \"build it\", \"command\": \"make\"}, {\"prompt\": "
                + Wire.mapper().writeValueAsString(longPrompt) + "}]");

        assertThat(f.tasks().get(0).name()).isEqualTo("build it");
        assertThat(f.tasks().get(1).name())
                .isEqualTo("Read every file under src and then write a summary of wha...")
                .hasSize(60);
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    @Test
    void unknownTaskKeyIsNamedWithAGuessAndTheKnownKeys() {
        String message = error("""
                ["a",
                 {"command": "b", "timout": 5}]""");

        assertThat(message).isEqualTo("tasks.json:2:19: task 2 (line 2): unknown key \"timout\"; did you mean"
                + " \"timeout\"? Known keys: name, command, argv, prompt, timeout, idle_timeout, cwd, env, schema,"
                + " executable, model, allowed_tools, disallowed_tools, permission_mode, max_turns, mcp_config,"
                + " append_system_prompt, include_partial_messages, extra_args");
    }

    @Test
    void otherSpellingsOfAKeyAreGuessed() {
        assertThat(error("[{\"command\": \"b\", \"idleTimeout\": 5}]"))
                .contains("unknown key \"idleTimeout\"; did you mean \"idle_timeout\"?");
        assertThat(error("{\"stopOnFailure\": true, \"tasks\": [\"a\"]}"))
                .startsWith("tasks.json:1:2: unknown key \"stopOnFailure\"; did you mean \"stop_on_failure\"?"
                        + " Known keys: tasks, stop_on_failure, timeout, max_concurrent, cwd, env, claude");
        assertThat(error("[{\"command\": \"b\", \"colour\": 5}]")).contains("unknown key \"colour\". Known keys:");
    }

    @Test
    void unknownClaudeOptionIsNamed() {
        assertThat(error("{\"claude\": {\"modle\": \"x\"}, \"tasks\": [\"a\"]}"))
                .startsWith("tasks.json:1:13: \"claude\": unknown key \"modle\"; did you mean \"model\"? Known keys:"
                        + " executable, model,");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "timeout": "abc"              | "timeout" must be a positive number of seconds, got "abc"
            "timeout": 0                  | "timeout" must be a positive number of seconds, got 0
            "timeout": -1.5               | "timeout" must be a positive number of seconds, got -1.5
            "timeout": 1e300              | "timeout" is too large: 1.0E300 seconds
            "idle_timeout": null          | "idle_timeout" must be a positive number of seconds, got null
            "cwd": 5                      | "cwd" must be a string, got 5
            "cwd": " "                    | "cwd" is blank
            "name": ["x"]                 | "name" must be a string, got an array
            "env": ["A=1"]                | "env" must be an object of strings, got an array
            "env": {"PORT": 8080}         | "env"."PORT" must be a string, got 8080
            "env": {"A=B": "1"}           | "env" has "A=B", which is not a variable name
            "env": {"": "1"}              | "env" has "", which is not a variable name
            """)
    void wrongTypesOnATaskNameTheTaskTheKeyAndTheValue(String member, String expected) {
        String message = error("[\"a\", \"b\",\n  {\"command\": \"c\", " + member + "}]");

        assertThat(message).startsWith("tasks.json:2:").endsWith(": task 3 (line 2): " + expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "model": ""                   | "model" is blank
            "executable": 1               | "executable" must be a string, got 1
            "allowed_tools": "Read"       | "allowed_tools" must be an array of strings, got "Read"
            "allowed_tools": ["Read", 1]  | "allowed_tools" must be an array of strings, but "allowed_tools"[1] is 1
            "disallowed_tools": [" "]     | "disallowed_tools"[0] is blank
            "max_turns": 0                | "max_turns" must be a positive integer, got 0
            "max_turns": 2.5              | "max_turns" must be a positive integer, got 2.5
            "max_turns": 1e10             | "max_turns" must be a positive integer, got 1.0E10
            "include_partial_messages": 1 | "include_partial_messages" must be true or false, got 1
            "extra_args": [true]          | "extra_args" must be an array of strings, but "extra_args"[0] is true
            """)
    void wrongTypesOnAPromptTask(String member, String expected) {
        String message = error("[\n{\"prompt\": \"p\", " + member + "}]");

        assertThat(message).startsWith("tasks.json:2:").endsWith(": task 1 (line 2): " + expected);
    }

    @Test
    void timeoutsBelowANanosecondAreNotPositive() {
        assertThat(error("[{\"command\": \"c\", \"timeout\": 1e-12}]")).endsWith("\"timeout\" must be a positive"
                + " number of seconds, got 1.0E-12 (below a nanosecond)");
    }

    @Test
    void schemaMustBeAnObjectOrTrue() {
        assertThat(error("[{\"prompt\": \"p\", \"schema\": false}]")).isEqualTo("tasks.json:1:18: task 1 (line 1):"
                + " \"schema\" must be a JSON schema object, or true for the default schema, got false");
        assertThat(error("[{\"prompt\": \"p\", \"schema\": \"x\"}]")).endsWith("got \"x\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yolo", "ACCEPT_EDITS", "accept_edits", ""})
    void permissionModeMustBeSpeltAsTheCliSpellsIt(String mode) {
        assertThat(error("[{\"prompt\": \"p\", \"permission_mode\": \"" + mode + "\"}]"))
                .isEqualTo("tasks.json:1:18: task 1 (line 1): \"permission_mode\" must be one of default,"
                        + " acceptEdits, plan, dontAsk, bypassPermissions, got \"" + mode + "\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "stop_on_failure": 1          | 1:2: "stop_on_failure" must be true or false, got 1
            "max_concurrent": 0           | 1:2: "max_concurrent" must be a positive integer, got 0
            "timeout": "10m"              | 1:2: "timeout" must be a positive number of seconds, got "10m"
            "claude": []                  | 1:2: "claude" must be an object of Claude options, got an array
            "claude": {"max_turns": -1}   | 1:13: "claude": "max_turns" must be a positive integer, got -1
            "env": {"A": null}            | 1:10: "env"."A" must be a string, got null
            """)
    void wrongTypesAtFileLevel(String member, String expected) {
        assertThat(error("{" + member + ", \"tasks\": [\"a\"]}")).isEqualTo("tasks.json:" + expected);
    }

    @Test
    void theMessageOfTheBriefReadsAsPromised() {
        String json = "{\"tasks\": [\n" + "\"a\",\n".repeat(12) + "\"b\",\n"
                + "  {\"command\": \"c\", \"timeout\": \"abc\"}\n]}";

        assertThat(error(json)).isEqualTo("tasks.json:15:20: task 14 (line 15): \"timeout\" must be a positive"
                + " number of seconds, got \"abc\"");
    }

    @Test
    void aTaskNeedsExactlyOneOfCommandArgvAndPrompt() {
        assertThat(error("[\n  {\"name\": \"x\"}]")).isEqualTo("tasks.json:2:3: task 1 (line 2): a task needs"
                + " exactly one of \"command\", \"argv\" and \"prompt\", found none");
        assertThat(error("[{\"command\": \"a\", \"prompt\": \"b\"}]"))
                .endsWith("found \"command\" and \"prompt\"");
        assertThat(error("[{\"command\": \"a\", \"argv\": [\"b\"], \"prompt\": \"c\"}]"))
                .endsWith("found \"command\" and \"argv\" and \"prompt\"");
    }

    @Test
    void promptOptionsOnACommandAreErrors() {
        assertThat(error("[{\"command\": \"a\", \"model\": \"opus\"}]")).isEqualTo("tasks.json:1:19: task 1"
                + " (line 1): \"model\" is for prompt tasks only; this task has \"command\"");
        assertThat(error("[{\"argv\": [\"a\"], \"schema\": true}]"))
                .endsWith("\"schema\" is for prompt tasks only; this task has \"argv\"");
    }

    @Test
    void blankOrMalformedTasksAreErrors() {
        assertThat(error("[\"a\",\n \"  \"]")).isEqualTo("tasks.json:2:2: task 2 (line 2): the task is blank");
        assertThat(error("[{\"command\": \"\"}]")).isEqualTo("tasks.json:1:3: task 1 (line 1): \"command\" is blank");
        assertThat(error("[{\"prompt\": \" \\n \"}]")).endsWith("\"prompt\" is blank");
        assertThat(error("[{\"argv\": []}]"))
                .endsWith("task 1 (line 1): \"argv\" must be a non-empty array of strings, got an array");
        assertThat(error("[{\"argv\": \"ls -l\"}]")).endsWith("\"argv\" must be a non-empty array of strings,"
                + " got \"ls -l\"");
        assertThat(error("[{\"argv\": [\" \", \"x\"]}]")).isEqualTo("tasks.json:1:12: task 1 (line 1):"
                + " \"argv\"[0] is blank; it names the program");
        assertThat(error("[\"a\", 42]")).isEqualTo("tasks.json:1:7: task 2 (line 1): a task must be a string"
                + " or an object, got 42");
        assertThat(error("[null]")).endsWith("a task must be a string or an object, got null");
    }

    @Test
    void theTopLevelMustBeTasks() {
        assertThat(error("[]")).isEqualTo("tasks.json: no tasks found (expected a JSON array of tasks or an object"
                + " with \"tasks\", a Markdown list with one task per item, or one task per line)");
        assertThat(error("{\"tasks\": []}")).startsWith("tasks.json: no tasks found");
        assertThat(error("{\"timeout\": 3}")).isEqualTo("tasks.json:1:1: \"tasks\" must be an array of tasks,"
                + " got none");
        assertThat(error("{\"tasks\": \"make\"}")).isEqualTo("tasks.json:1:2: \"tasks\" must be an array of tasks,"
                + " got \"make\"");
        assertThat(error("\"make\"")).isEqualTo("tasks.json:1:1: expected an array of tasks or an object with"
                + " \"tasks\", got \"make\"");
    }

    @Test
    void syntaxErrorsGiveJacksonsLineAndColumn() {
        String message = error("[\n  \"a\",\n  \"b\"\n  \"c\"\n]");

        assertThat(message).startsWith("tasks.json:4:3: invalid JSON: Unexpected character ('\"'");
    }

    @Test
    void unfinishedJsonIsASyntaxError() {
        assertThat(error("[\"a\",\n {\"command\": \"b\"")).startsWith("tasks.json:2:").contains("invalid JSON:")
                .contains("end-of-input");
    }

    @Test
    void textAfterTheValueIsAnError() {
        assertThat(error("[\"a\"]\n[\"b\"]")).isEqualTo("tasks.json:2:1: invalid JSON: more text after the end"
                + " of the value");
    }

    @Test
    void commentsAndTrailingCommasAreNotJson() {
        assertThat(error("[\"a\", // build\n \"b\"]")).startsWith("tasks.json:1:7: invalid JSON:");
        assertThat(error("[\"a\", \"b\",]")).startsWith("tasks.json:1:11: invalid JSON:");
    }

    @Test
    void duplicateKeysAreErrors() {
        assertThat(error("[{\"command\": \"a\",\n  \"timeout\": 1,\n  \"timeout\": 2}]"))
                .isEqualTo("tasks.json:3:3: duplicate key \"timeout\" (first at line 2)");
    }
}
