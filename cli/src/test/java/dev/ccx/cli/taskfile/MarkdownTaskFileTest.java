// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.client.Command;
import dev.ccx.client.Task;
import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MarkdownTaskFileTest {
    private static final ClaudeTask TEMPLATE = ClaudeTask.of(ClaudeCommand.of("placeholder").model("haiku"))
            .timeout(Duration.ofMinutes(5)).env(Map.of("HOME", "/home/ci"));

    private static TaskFile read(TaskKind kind, String text) throws TaskFileException {
        return new TaskFileReader(kind, TEMPLATE, null).parse("tasks.md", text, Path.of("/work"));
    }

    private static List<String> texts(TaskFile f) {
        return f.tasks().stream().map(s -> text(s.task())).toList();
    }

    /** A command as {@code $ line}, a prompt as its text: both kind and text in one string. */
    private static String text(Task t) {
        return t instanceof Command c ? "$ " + c.shellCommand() : ((ClaudeTask) t).command().prompt();
    }

    @Test
    void everyKindOfMarkerStartsATask() throws Exception {
        TaskFile f = read(TaskKind.COMMAND, """
                - dash
                * star
                + plus
                1. dot
                2) paren
                10. ten
                """);

        assertThat(f.format()).isEqualTo(TaskFile.Format.MARKDOWN);
        assertThat(texts(f)).containsExactly("$ dash", "$ star", "$ plus", "$ dot", "$ paren", "$ ten");
        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(f.stopOnFailure()).isNull();
        assertThat(f.timeout()).isNull();
        assertThat(f.maxConcurrent()).isNull();
    }

    @Test
    void itemsArePromptsFromTheTemplateWhenTheDefaultKindIsPrompt() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, "- Fix the build\n");

        ClaudeTask t = (ClaudeTask) f.tasks().getFirst().task();
        assertThat(t).isEqualTo(TEMPLATE.command(TEMPLATE.command().prompt("Fix the build")));
        assertThat(t.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(f.tasks().getFirst().name()).isEqualTo("Fix the build");
    }

    @Test
    void checkboxesAreDroppedAndCheckedItemsAreStillTasks() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - [ ] open
                - [x] done
                - [X] done too
                1. [ ] numbered
                - [link](http://x) is text
                - [ ]no space is text
                """);

        assertThat(texts(f)).containsExactly("open", "done", "done too", "numbered", "[link](http://x) is text",
                "[ ]no space is text");
    }

    @Test
    void linesNumbersCountEverythingAbove() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                # Title

                Some notes.

                <!-- a comment
                - inside it -->
                ```sh
                - in a code block
                ```
                - first
                  continued

                * second
                """);

        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(10, 13);
        assertThat(texts(f)).containsExactly("first\ncontinued", "second");
    }

    @Test
    void indentedAndLazyLinesContinueAnItem() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - Refactor the parser:
                  split it into a lexer
                and a parser (lazy line)

                  keep the tests green
                      (indented code stays indented)
                - next
                """);

        assertThat(texts(f)).containsExactly("""
                Refactor the parser:
                split it into a lexer
                and a parser (lazy line)

                keep the tests green
                    (indented code stays indented)""", "next");
    }

    @Test
    void nestedItemsAreTextOfTheirParent() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                1. Write the release notes:
                   - breaking changes first
                     * with migration hints
                   - under 200 words
                2. Tag the release
                """);

        assertThat(texts(f)).containsExactly("""
                Write the release notes:
                - breaking changes first
                  * with migration hints
                - under 200 words""", "Tag the release");
        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(1, 5);
    }

    @Test
    void aParagraphAfterABlankLineEndsTheItemAndIsIgnored() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - one

                Not part of the list.
                - two
                # Heading ends an item
                Paragraph after heading.
                - three
                ---
                after a break
                """);

        assertThat(texts(f)).containsExactly("one", "two", "three");
    }

    @Test
    void blocksThatInterruptAParagraphEndTheItem() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - one
                ```
                - not a task
                ```
                - two
                <!-- - not a task -->
                - three
                """);

        assertThat(texts(f)).containsExactly("one", "two", "three");
    }

    @Test
    void aFenceInsideAnItemIsPartOfItsText() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - Make this pass:
                  ```
                  - assert x == 1
                  ```
                - next
                """);

        assertThat(texts(f)).containsExactly("Make this pass:\n```\n- assert x == 1\n```", "next");
    }

    @ParameterizedTest
    @EnumSource(TaskKind.class)
    void inlineCodeAndDollarItemsAreCommandsWhateverTheDefaultKind(TaskKind kind) throws Exception {
        TaskFile f = read(kind, """
                - `make test`
                - [ ] ``grep -n `x` file``
                - $ ./gradlew build
                - ` npm ci `
                """);

        assertThat(texts(f)).containsExactly("$ make test", "$ grep -n `x` file", "$ ./gradlew build", "$ npm ci");
        assertThat(f.tasks()).extracting(TaskSpec::name)
                .containsExactly("make test", "grep -n `x` file", "./gradlew build", "npm ci");
    }

    @Test
    void textThatIsMoreThanOneCodeSpanHasTheDefaultKind() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - Run `make test` and fix what fails
                - `make` then `make test`
                - $make has no space
                - `unclosed
                """);

        assertThat(texts(f)).containsExactly("Run `make test` and fix what fails", "`make` then `make test`",
                "$make has no space", "`unclosed");
    }

    @Test
    void aDollarItemTakesItsContinuationLinesAsTheCommandLine() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                - $ for f in *.log; do
                    gzip "$f"
                  done
                """);

        assertThat(texts(f)).containsExactly("$ for f in *.log; do\n  gzip \"$f\"\ndone");
    }

    @ParameterizedTest
    @ValueSource(strings = {"- a\n-\n- b\n", "- a\n- [ ]\n- b\n", "- a\n* [x]   \n- b\n"})
    void aBlankItemIsAnErrorAtItsLine(String text) {
        assertThatThrownBy(() -> read(TaskKind.PROMPT, text)).isInstanceOf(TaskFileException.class)
                .hasMessage("tasks.md:2: task 2 is blank: the list item has no text");
    }

    @Test
    void anEmptyMarkerLineCanStillHaveIndentedText() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, "-\n  text below\n");

        assertThat(texts(f)).containsExactly("text below");
        assertThat(f.tasks().getFirst().line()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"- ` `", "- $ ", "- $   ", "- [ ] $"})
    void aBlankCommandIsAnError(String item) {
        assertThatThrownBy(() -> read(TaskKind.PROMPT, "- ok\n" + item + "\n"))
                .hasMessageStartingWith("tasks.md:2: task 2 ");
    }

    @Test
    void unclosedBlocksAreErrorsBecauseTheyHideTasks() {
        assertThatThrownBy(() -> read(TaskKind.PROMPT, "- a\n\n```\n- b\n- c\n"))
                .hasMessage("tasks.md:3: the code block opened here with ``` is never closed, so it hides the"
                        + " rest of the file");
        assertThatThrownBy(() -> read(TaskKind.PROMPT, "- a\n<!-- hide\n- b\n"))
                .hasMessage("tasks.md:2: the HTML comment opened here with <!-- is never closed (-->), so it hides"
                        + " the rest of the file");
    }

    @Test
    void crlfLineEndsAndTabsAreHandled() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, "- one\r\n\tcontinued\r\n-\ttwo\r\n");

        assertThat(texts(f)).containsExactly("one\ncontinued", "two");
    }

    @Test
    void longItemsGetAShortName() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, "- " + "word ".repeat(30) + "\n  more\n");

        assertThat(f.tasks().getFirst().name()).hasSize(60).endsWith("...").doesNotContain("\n");
    }

    @Test
    void itemsGetTheDefaultCwdAndNoOtherOptions() throws Exception {
        TaskFile f = new TaskFileReader(TaskKind.COMMAND, TEMPLATE, "/srv").parse("t.md", "- a\n- Fix it\n");
        TaskFile p = new TaskFileReader(TaskKind.PROMPT, TEMPLATE, "/srv").parse("t.md", "- `a`\n- Fix it\n");

        // The template's env is the command line's --env: command items get it too.
        assertThat(f.tasks().getFirst().task()).isEqualTo(Command.shell("a").cwd("/srv").env(TEMPLATE.env()));
        assertThat(((ClaudeTask) p.tasks().get(1).task()).cwd()).isEqualTo("/srv");
        assertThat(((ClaudeTask) p.tasks().get(1).task()).env()).isEqualTo(Map.of("HOME", "/home/ci"));
    }

    // ---- one task per line -------------------------------------------------------------------------------------

    @Test
    void withoutListItemsEveryLineIsATaskAndHashLinesAreComments() throws Exception {
        TaskFile f = read(TaskKind.COMMAND, """
                # build everything
                make build

                  make test   \s
                   # indented comment
                echo '# not a comment' # trailing
                """);

        assertThat(f.format()).isEqualTo(TaskFile.Format.LINES);
        assertThat(texts(f)).containsExactly("$ make build", "$ make test", "$ echo '# not a comment' # trailing");
        assertThat(f.tasks()).extracting(TaskSpec::line).containsExactly(2, 4, 6);
    }

    @Test
    void plainLinesAreThePromptsOrCommandsOfTheDefaultKind() throws Exception {
        TaskFile f = read(TaskKind.PROMPT, """
                Summarise README.md
                `make test`
                $ git status
                Is `x` used anywhere?
                """);

        assertThat(texts(f)).containsExactly("Summarise README.md", "$ make test", "$ git status",
                "Is `x` used anywhere?");
    }

    @Test
    void listMarkersInsideClosedBlocksDoNotMakeAList() throws Exception {
        TaskFile f = read(TaskKind.COMMAND, "run-a\n<!--\n- x\n-->\nrun-b\n");

        // Plain lines are taken as they are: the comment lines are tasks too.
        assertThat(f.format()).isEqualTo(TaskFile.Format.LINES);
        assertThat(texts(f)).containsExactly("$ run-a", "$ <!--", "$ - x", "$ -->", "$ run-b");
    }

    @Test
    void onlyCommentsAndHeadingsMeanNoTasks() {
        assertThatThrownBy(() -> read(TaskKind.COMMAND, "# one\n\n  # two\n"))
                .hasMessageStartingWith("tasks.md: no tasks found (expected a JSON array");
    }

    // ---- code spans ------------------------------------------------------------------------------------------

    @Test
    void codeSpanRecognisesOnlyAWholeSpan() {
        assertThat(MarkdownTaskFile.codeSpan("`a`")).isEqualTo("a");
        assertThat(MarkdownTaskFile.codeSpan("``a ` b``")).isEqualTo("a ` b");
        assertThat(MarkdownTaskFile.codeSpan("`` `a` ``")).isEqualTo("`a`");
        assertThat(MarkdownTaskFile.codeSpan("` a `")).isEqualTo("a");
        assertThat(MarkdownTaskFile.codeSpan("`  `")).isEqualTo("  ");
        assertThat(MarkdownTaskFile.codeSpan("`a` and `b`")).isNull();
        assertThat(MarkdownTaskFile.codeSpan("`a``")).isNull();
        assertThat(MarkdownTaskFile.codeSpan("``a`")).isNull();
        assertThat(MarkdownTaskFile.codeSpan("``")).isNull();
        assertThat(MarkdownTaskFile.codeSpan("a")).isNull();
    }
}
