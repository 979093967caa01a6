// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.cli.taskfile.MarkdownItems.Item;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownItemsTest {

    private static List<Item> scan(String text) throws TaskFileException {
        return MarkdownItems.scan("t.md", text.lines().toList());
    }

    @Test
    void thematicBreaksAreNotItems() throws Exception {
        assertThat(scan("- a\n* * *\n- - -\n***\n___\n- b\n"))
                .containsExactly(new Item(1, "a"), new Item(6, "b"));
    }

    @Test
    void markersNeedASpaceAfterThem() throws Exception {
        assertThat(scan("-flag\n1.5 litres\n*emphasis*\n+1\n- real\n")).containsExactly(new Item(5, "real"));
    }

    @Test
    void tildeFencesAndLongerClosingFencesWork() throws Exception {
        assertThat(scan("~~~\n- x\n```\n- y\n~~~~\n- a\n````md\n- z\n```\n- w\n`````\n- b\n"))
                .containsExactly(new Item(6, "a"), new Item(12, "b"));
    }

    @Test
    void aBacktickLineWithBackticksInItsInfoIsNotAFence() throws Exception {
        // "```a``` b" is inline code in a paragraph; were it taken for a fence, "- real" would be hidden.
        assertThat(scan("```a``` b\n- real\n")).containsExactly(new Item(2, "real"));
    }

    @Test
    void aOneLineCommentIsSkipped() throws Exception {
        assertThat(scan("<!-- - hidden --> \n- a\n  <!-- stays in a -->\n")).containsExactly(
                new Item(2, "a\n<!-- stays in a -->"));
    }

    @Test
    void indentedListsAreSiblingsAtTheirOwnIndentation() throws Exception {
        assertThat(scan("  - a\n    - a1\n  - b\n- c\n")).containsExactly(
                new Item(1, "a\n- a1"), new Item(3, "b"), new Item(4, "c"));
    }

    @Test
    void aHeadingRightAfterAnItemIsNotALazyLine() throws Exception {
        assertThat(scan("- a\n## Next\n- b\n#hashtag is lazy\n")).containsExactly(
                new Item(1, "a"), new Item(3, "b\n#hashtag is lazy"));
    }

    @Test
    void blankLinesInsideAnItemAreKeptOnlyBeforeMoreOfIt() throws Exception {
        assertThat(scan("- a\n\n\n  b\n\n\n- c\n\n\n")).containsExactly(new Item(1, "a\n\n\nb"), new Item(7, "c"));
    }

    @Test
    void wideGapsAfterTheMarkerCountAsOneColumn() throws Exception {
        // The text column is then 2, so continuation lines keep what lies beyond it.
        assertThat(scan("-      wide\n    more\n")).containsExactly(new Item(1, "wide\n  more"));
        assertThat(scan("1.  two spaces\n    more\n")).containsExactly(new Item(1, "two spaces\nmore"));
    }

    @Test
    void columnsExpandTabsToStopsOfFour() {
        assertThat(Columns.width(" \t")).isEqualTo(4);
        assertThat(Columns.width("\t ")).isEqualTo(5);
        assertThat(Columns.dropColumns("      x", 4)).isEqualTo("  x");
        assertThat(Columns.dropColumns("\t\tx", 4)).isEqualTo("\tx");
        assertThat(Columns.dropColumns("\tx", 2)).isEqualTo("x");
        assertThat(Columns.dropColumns(" x", 4)).isEqualTo("x");
    }
}
