// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineAssemblerTest {
    private final List<String> lines = new ArrayList<>();

    @Test
    void wholeMessagesAreLinesWithoutTheirNewline() {
        LineAssembler a = new LineAssembler(1024);
        a.feed("one\n", false, lines::add);
        a.feed("two", false, lines::add);
        assertThat(lines).containsExactly("one", "two");
    }

    @Test
    void truncatedPiecesAreJoinedUntilTheLastOne() {
        LineAssembler a = new LineAssembler(1024);
        a.feed("ab", true, lines::add);
        a.feed("cd", true, lines::add);
        assertThat(lines).isEmpty();
        a.feed("ef\n", false, lines::add);
        a.feed("\n", false, lines::add);
        assertThat(lines).containsExactly("abcdef", "");
    }

    @Test
    void aLineLongerThanTheBoundComesInBoundedPieces() {
        LineAssembler a = new LineAssembler(1024);
        String chunk = "x".repeat(700);
        for (int i = 0; i < 5; i++) {
            a.feed(chunk, true, lines::add);
        }
        a.feed("y\n", false, lines::add);
        assertThat(lines).allMatch(s -> s.length() <= 1024);
        assertThat(String.join("", lines)).isEqualTo("x".repeat(3500) + "y");
    }

    @Test
    void aSurrogatePairIsNeverSplit() {
        LineAssembler a = new LineAssembler(1024);
        String pair = "\uD83D\uDE00";
        a.feed("a".repeat(1023) + pair + "b", false, lines::add);
        assertThat(lines.getFirst()).hasSize(1023);
        assertThat(lines.get(1)).isEqualTo(pair + "b");
    }

    @Test
    void flushEmitsAnUnfinishedLine() {
        LineAssembler a = new LineAssembler(1024);
        a.feed("half", true, lines::add);
        a.flush(lines::add);
        a.flush(lines::add);
        assertThat(lines).containsExactly("half");
    }
}
