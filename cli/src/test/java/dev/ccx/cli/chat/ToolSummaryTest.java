// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.Wire;
import org.junit.jupiter.api.Test;

class ToolSummaryTest {
    @Test
    void theTargetOfTheCallFollowsTheToolName() {
        assertThat(ToolSummary.of("Write", Wire.mapper().readTree("{\"file_path\":\"/a/b.txt\",\"content\":\"x\"}")))
                .isEqualTo("Write /a/b.txt");
        assertThat(ToolSummary.of("Bash", Wire.mapper().readTree("{\"command\":\"git status\\n  && ls\"}")))
                .isEqualTo("Bash git status && ls");
    }

    @Test
    void otherInputsShowAsCompactJsonCutToOneLine() {
        assertThat(ToolSummary.of("mcp__x__y", Wire.mapper().readTree("{\"n\":1}"))).isEqualTo("mcp__x__y {\"n\":1}");
        assertThat(ToolSummary.of("Task", Wire.mapper().createObjectNode())).isEqualTo("Task");
        String cut = ToolSummary.of("Bash", Wire.mapper().createObjectNode().put("command", "x".repeat(500)));
        assertThat(cut).hasSize("Bash ".length() + ToolSummary.MAX_CHARS).endsWith("…");
    }
}
