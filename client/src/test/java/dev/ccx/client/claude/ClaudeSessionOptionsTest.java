// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.Wire;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClaudeSessionOptionsTest {

    @Test
    void defaultsBoundEveryWait() {
        ClaudeSessionOptions o = ClaudeSessionOptions.builder().build();
        assertThat(o.command().prompt()).isNull();
        assertThat(o.linger()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.maxLifetime()).isEqualTo(Duration.ofHours(24));
        assertThat(o.controlTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.permissionTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.autoResume()).isFalse();
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void aCommandWithAPromptOrAZeroTimeoutIsRefusedByName() {
        assertThatThrownBy(() -> ClaudeSessionOptions.builder(ClaudeCommand.of("hi")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ClaudeCommand.session()");
        assertThatThrownBy(() -> ClaudeSessionOptions.builder().controlTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("controlTimeout");
        assertThatThrownBy(() -> ClaudeSessionOptions.builder().maxLineChars(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLineChars");
    }

    @Test
    void decisionsAreCheckedWhenMade() {
        assertThatThrownBy(() -> PermissionDecision.allow(Wire.mapper().getNodeFactory().arrayNode()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> PermissionDecision.deny(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(PermissionDecision.denyAndInterrupt("stop")).isEqualTo(new PermissionDecision.Deny("stop", true));
        assertThat(PermissionDecision.allow()).isEqualTo(new PermissionDecision.Allow(null));
    }
}
