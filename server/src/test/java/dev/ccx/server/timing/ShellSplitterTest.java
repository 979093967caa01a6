// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellSplitterTest {

    private static List<List<String>> words(String script) {
        return new ShellSplitter(script).split().stream().map(c -> List.copyOf(c.words)).toList();
    }

    private static List<String> stdins(String script) {
        return new ShellSplitter(script).split().stream().map(c -> c.stdin).toList();
    }

    @Test
    void separatorsEndCommands() {
        assertThat(words("cd /src && make -j4; echo done | tee log & wait"))
                .containsExactly(List.of("cd", "/src"), List.of("make", "-j4"), List.of("echo", "done"),
                        List.of("tee", "log"), List.of("wait"));
        assertThat(words("a\nb\r\n(c) || d")).containsExactly(List.of("a"), List.of("b"), List.of("c"), List.of("d"));
    }

    @Test
    void quotesAndBackslashesAreRemovedButKeepTheWordTogether() {
        assertThat(words("echo 'a b' \"c \\\"d\\\" $x\" e\\ f g\\\nh")).containsExactly(
                List.of("echo", "a b", "c \"d\" $x", "e f", "gh"));
        assertThat(words("echo \"line\\\ncontinued\"")).containsExactly(List.of("echo", "linecontinued"));
    }

    @Test
    void unbalancedQuotesRunToTheEnd() {
        assertThat(words("echo 'open ended; rm x")).containsExactly(List.of("echo", "open ended; rm x"));
        assertThat(words("echo \"open")).containsExactly(List.of("echo", "open"));
    }

    @Test
    void substitutionsStayInsideTheirWordUnexpanded() {
        assertThat(words("echo $(date; id) `uname -a` x$(a (b) c)y"))
                .containsExactly(List.of("echo", "$(date; id)", "`uname -a`", "x$(a (b) c)y"));
    }

    @Test
    void redirectionsAndTheirTargetsAreDropped() {
        assertThat(words("make 2>&1 >out.log </dev/null &>all 3>>x arg"))
                .containsExactly(List.of("make", "arg"));
        // A number that is not directly before the operator is an argument.
        assertThat(words("sleep 2 > /dev/null")).containsExactly(List.of("sleep", "2"));
        // A quoted number before an operator is a word, not a descriptor.
        assertThat(words("echo '2'>f")).containsExactly(List.of("echo", "2"));
    }

    @Test
    void hereDocumentsAndHereStringsBecomeStdin() {
        String script = "cat <<EOF\nhello\nworld\nEOF\nwc -l <<-END\n\t\tindented\n\tEND\ngrep x <<< 'some text'";
        assertThat(words(script)).containsExactly(List.of("cat"), List.of("wc", "-l"), List.of("grep", "x"));
        assertThat(stdins(script)).containsExactly("hello\nworld\n", "indented\n", "some text");
    }

    @Test
    void commentsAreSkippedButHashInsideAWordIsKept() {
        assertThat(words("echo a#b # the rest\nls")).containsExactly(List.of("echo", "a#b"), List.of("ls"));
    }

    @Test
    void emptyAndBlankScriptsHaveNoCommands() {
        assertThat(words("")).isEmpty();
        assertThat(words("  ;; \n\t& ")).isEmpty();
    }

    @Test
    void theNumberOfCommandsIsCapped() {
        String many = "true;".repeat(ShellSplitter.MAX_COMMANDS * 3);
        assertThat(words(many)).hasSize(ShellSplitter.MAX_COMMANDS);
    }

    @Test
    void aMegabyteOfInputIsSplitInLinearTime() {
        String big = "echo " + "x".repeat(1 << 20) + " | " + "'".repeat(1001);
        long start = System.nanoTime();
        List<List<String>> w = words(big);
        assertThat(w).hasSize(2);
        assertThat(w.getFirst().get(1)).hasSize(1 << 20);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    }
}
