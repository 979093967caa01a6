// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.client.Command;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeCommand.PermissionMode;
import dev.ccx.client.claude.ClaudeTask;
import dev.ccx.client.claude.PromptWrapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskFileReaderTest {
    private static final TaskFileReader COMMANDS = new TaskFileReader(TaskKind.COMMAND, null, null);
    private static final TaskFileReader PROMPTS = new TaskFileReader(TaskKind.PROMPT, null, null);

    @TempDir
    Path dir;

    private Path fixture(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/taskfiles/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    // ---- the examples of docs/task-files.md --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"array.json", "settings.json", "checklist.md", "benchmarks.txt"})
    void theDocsShowTheFixturesUnchanged(String name) throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "task-files.md"));

        assertThat(docs).contains(Files.readString(fixture(name)));
    }

    @Test
    void arrayExample() throws Exception {
        TaskFile f = COMMANDS.read(fixture("array.json"));

        assertThat(f.tasks()).extracting(TaskSpec::task).containsExactly(Command.shell("make build"),
                Command.shell("make test"), Command.argv("ls", "-la", "build"));
        assertThat(f.tasks()).extracting(TaskSpec::name).containsExactly("make build", "make test", "list build");
    }

    @Test
    void settingsExample() throws Exception {
        TaskFile f = PROMPTS.read(fixture("settings.json"));
        String project = dir.resolve("project").toString();
        Map<String, String> ci = Map.of("CI", "1");

        assertThat(f.stopOnFailure()).isTrue();
        assertThat(f.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(f.maxConcurrent()).isEqualTo(2);
        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(9, 10, 11, 12, 13);

        // A string is a prompt here, with the file's Claude options.
        ClaudeTask npm = (ClaudeTask) f.tasks().get(0).task();
        ClaudeCommand fileClaude = ClaudeCommand.of("npm ci").model("sonnet").allowedTools(List.of("Read", "Edit"))
                .permissionMode(PermissionMode.ACCEPT_EDITS);
        assertThat(npm.command()).isEqualTo(fileClaude);
        assertThat(npm.cwd()).isEqualTo(project);
        assertThat(npm.env()).isEqualTo(ci);

        assertThat(f.tasks().get(1).name()).isEqualTo("unit tests");
        assertThat(f.tasks().get(1).task()).isEqualTo(Command.shell("npm test -- --reporter dot")
                .timeout(Duration.ofMinutes(5)).idleTimeout(Duration.ofMinutes(1)).cwd(project).env(ci));
        assertThat(f.tasks().get(2).task()).isEqualTo(Command.argv("git", "diff", "--stat").cwd("/srv/repo").env(ci));

        ClaudeTask summary = (ClaudeTask) f.tasks().get(3).task();
        assertThat(summary.command()).isEqualTo(fileClaude.prompt("Summarise the failing tests in test-output.txt")
                .maxTurns(5));
        assertThat(summary.schema()).isEqualTo(PromptWrapper.defaultSchema());

        ClaudeTask lint = (ClaudeTask) f.tasks().get(4).task();
        assertThat(lint.command()).isEqualTo(fileClaude.prompt("Fix the lint errors in src/").model("opus"));
        assertThat(lint.env()).isEqualTo(Map.of("CI", "1", "NODE_ENV", "test"));
        assertThat(lint.schema()).isNull();
    }

    @Test
    void checklistExample() throws Exception {
        TaskFile f = PROMPTS.read(fixture("checklist.md"));

        assertThat(f.format()).isEqualTo(TaskFile.Format.MARKDOWN);
        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(5, 6, 7, 10);
        assertThat(f.tasks().get(0).task()).isEqualTo(Command.shell("make clean"));
        assertThat(f.tasks().get(1).task()).isEqualTo(Command.shell("make test"));
        assertThat(((ClaudeTask) f.tasks().get(2).task()).command().prompt()).isEqualTo("""
                Review the diff of src/ and list anything that
                looks like a leftover debug statement.
                Answer with file:line pairs.""");
        assertThat(((ClaudeTask) f.tasks().get(3).task()).command().prompt()).isEqualTo("""
                Write the release notes from CHANGELOG.md:
                - keep it under 200 words
                - mention breaking changes first""");
        assertThat(f.tasks().get(2).name()).isEqualTo("Review the diff of src/ and list anything that looks like...");
    }

    @Test
    void benchmarksExample() throws Exception {
        TaskFile f = COMMANDS.read(fixture("benchmarks.txt"));

        assertThat(f.format()).isEqualTo(TaskFile.Format.LINES);
        assertThat(f.tasks()).extracting(TaskSpec::task).containsExactly(Command.shell("./bench/run small"),
                Command.shell("./bench/run large"), Command.shell("./bench/timing/run"));
        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(2, 3, 4);
    }

    // ---- reading files -----------------------------------------------------------------------------------------

    @Test
    void relativeCwdIsRelativeToTheFilesDirectoryWhereverTheReaderRuns() throws Exception {
        Path file = Files.createDirectories(dir.resolve("a/b")).resolve("t.json");
        Files.writeString(file, "[{\"command\": \"x\", \"cwd\": \"../c\"}, {\"command\": \"y\", \"cwd\": \".\"}]");

        TaskFile f = COMMANDS.read(file);

        assertThat(((Command) f.tasks().get(0).task()).cwd()).isEqualTo(dir.resolve("a/c").toString());
        assertThat(((Command) f.tasks().get(1).task()).cwd()).isEqualTo(dir.resolve("a/b").toString());
        assertThat(f.source()).isEqualTo(file.toString());
    }

    @Test
    void parseWithoutABaseDirResolvesAgainstTheWorkingDirectory() throws Exception {
        TaskFile f = COMMANDS.parse("<stdin>", "[{\"command\": \"x\", \"cwd\": \"sub\"}]");

        assertThat(((Command) f.tasks().getFirst().task()).cwd())
                .isEqualTo(Path.of("sub").toAbsolutePath().normalize().toString());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.md");

        assertThatThrownBy(() -> COMMANDS.read(missing)).isInstanceOf(TaskFileException.class)
                .hasMessage(missing + ": no such file");
    }

    @Test
    void aDirectoryIsNotATaskFile() {
        assertThatThrownBy(() -> COMMANDS.read(dir)).hasMessage(dir + ": is a directory, not a task file");
    }

    @Test
    void textThatIsNotUtf8IsRefused() throws IOException {
        Path file = Files.write(dir.resolve("latin1.txt"), "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> COMMANDS.read(file)).hasMessage(file + ": cannot read: not UTF-8 text");
    }

    @Test
    void aFileThatCannotBeReadSaysWhy() throws IOException {
        Path file = Files.writeString(dir.resolve("secret.md"), "- a\n");
        assertThat(file.toFile().setReadable(false, false)).isTrue();
        // root reads anything; the check is only meaningful for other users.
        Assumptions.assumeFalse(Files.isReadable(file), "running as root");

        assertThatThrownBy(() -> COMMANDS.read(file)).hasMessage(file + ": cannot read: permission denied");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n  \t\n", "\uFEFF", "\uFEFF\n"})
    void emptyTextHasNoTasks(String text) throws IOException {
        Path file = Files.writeString(dir.resolve("empty.json"), text);

        assertThatThrownBy(() -> COMMANDS.read(file)).hasMessage(file + ": no tasks found (expected a JSON array of"
                + " tasks or an object with \"tasks\", a Markdown list with one task per item, or one task per line)");
    }

    @Test
    void aByteOrderMarkIsNotText() throws Exception {
        assertThat(COMMANDS.parse("t.md", "\uFEFF- a\n").tasks().getFirst().task()).isEqualTo(Command.shell("a"));
        assertThat(COMMANDS.parse("t.txt", "\uFEFF[\"a\"]").format()).isEqualTo(TaskFile.Format.JSON);
    }

    // ---- which format ------------------------------------------------------------------------------------------

    @Test
    void aJsonNameMeansJsonWhateverTheText() {
        assertThatThrownBy(() -> COMMANDS.parse("tasks.JSON", "- a\n"))
                .hasMessageStartingWith("tasks.JSON:1:2: invalid JSON: ").hasMessageNotContaining("read as JSON");
    }

    @Test
    void aBracketOrBraceFirstMeansJsonWhateverTheName() throws Exception {
        assertThat(COMMANDS.parse("tasks.md", "\n  [\"a\"]").format()).isEqualTo(TaskFile.Format.JSON);
        assertThat(COMMANDS.parse("-", "{\"tasks\": [\"a\"]}").format()).isEqualTo(TaskFile.Format.JSON);
        assertThatThrownBy(() -> COMMANDS.parse("notes.md", "[link](http://x)\n- a\n"))
                .hasMessageStartingWith("notes.md:1:")
                .hasMessageEndingWith("(read as JSON because the text starts with '[')");
    }

    @Test
    void anythingElseIsMarkdownOrLines() throws Exception {
        assertThat(COMMANDS.parse("tasks", "- a\n").format()).isEqualTo(TaskFile.Format.MARKDOWN);
        assertThat(COMMANDS.parse("tasks.json.bak", "a\n").format()).isEqualTo(TaskFile.Format.LINES);
    }

    // ---- the public types --------------------------------------------------------------------------------------

    @Test
    void exceptionMessagesHaveTheCompilerForm() {
        TaskFileException full = new TaskFileException("f.json", 3, 7, "bad");
        TaskFileException noColumn = new TaskFileException("f.md", 3, 0, "bad");
        TaskFileException whole = new TaskFileException("f.md", "gone", null);

        assertThat(full).hasMessage("f.json:3:7: bad");
        assertThat(full.file()).isEqualTo("f.json");
        assertThat(full.line()).isEqualTo(3);
        assertThat(full.column()).isEqualTo(7);
        assertThat(full.detail()).isEqualTo("bad");
        assertThat(noColumn).hasMessage("f.md:3: bad");
        assertThat(whole).hasMessage("f.md: gone");
        assertThat(whole.line()).isZero();
    }

    @Test
    void withoutATemplatePromptsRunPlainClaude() throws Exception {
        TaskFile f = PROMPTS.parse("t.md", "- Fix it\n");

        assertThat(f.tasks().getFirst().task()).isEqualTo(ClaudeTask.of("Fix it"));
    }

    @Test
    void shortNamesFlattenAndCut() {
        assertThat(TaskSpec.shortName("  a\n\tb  ")).isEqualTo("a b");
        assertThat(TaskSpec.shortName("x".repeat(60))).isEqualTo("x".repeat(60));
        assertThat(TaskSpec.shortName("x".repeat(61))).isEqualTo("x".repeat(57) + "...");
        // An emoji across the cut is not split in half.
        assertThat(TaskSpec.shortName("x".repeat(56) + "\uD83D\uDE00" + "y".repeat(10)))
                .isEqualTo("x".repeat(56) + "...");
    }

    @Test
    void recordsRefuseWhatCannotBe() {
        Command c = Command.shell("x");
        assertThatThrownBy(() -> new TaskSpec(0, "n", c)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskSpec(1, " ", c)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskFile("f", TaskFile.Format.JSON, List.of(), null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskFile("f", TaskFile.Format.JSON, List.of(new TaskSpec(1, "n", c)), null,
                null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskFileReader(null, null, null)).isInstanceOf(NullPointerException.class);
    }
}
