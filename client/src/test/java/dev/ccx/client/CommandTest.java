// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.protocol.ExecuteParams;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void shellMapsToCommandWithSeconds() {
        ExecuteParams p = Command.shell("echo hi").timeout(Duration.ofMillis(1500)).idleTimeout(Duration.ofSeconds(2))
                .cwd("/tmp").env(Map.of("A", "1")).toParams();
        assertThat(p.command()).isEqualTo("echo hi");
        assertThat(p.argv()).isNull();
        assertThat(p.timeout()).isEqualTo(1.5);
        assertThat(p.idleTimeout()).isEqualTo(2.0);
        assertThat(p.cwd()).isEqualTo("/tmp");
        assertThat(p.env()).containsEntry("A", "1");
    }

    @Test
    void argvMapsToArgvWithoutOptions() {
        ExecuteParams p = Command.argv("ls", "-l").toParams();
        assertThat(p.command()).isNull();
        assertThat(p.argv()).containsExactly("ls", "-l");
        assertThat(p.timeout()).isNull();
        assertThat(p.env()).isNull();
        assertThat(Command.argv(List.of("a", "b c")).describe()).isEqualTo("a b c");
    }

    @Test
    void keyParamsNameTheCommandOnly() {
        assertThat(Command.shell("git status").timeout(Duration.ofSeconds(5)).keyParams())
                .isEqualTo(Map.of("command", "git status"));
        assertThat(Command.argv("ls", "-l").cwd("/tmp").keyParams()).isEqualTo(Map.of("argv", List.of("ls", "-l")));
    }

    @Test
    void badCommandsFailAtConstruction() {
        assertThatThrownBy(() -> Command.shell(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Command.argv(List.of())).hasMessageContaining("argv");
        assertThatThrownBy(() -> Command.shell("x").timeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> new Command("x", List.of("y"), null, null, null, null))
                .hasMessageContaining("exactly one");
    }

    @Test
    void optionsAreCheckedAtConstruction() {
        assertThat(ClientOptions.defaults().requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> ClientOptions.builder().requestTimeout(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> ClientOptions.builder().maxBufferedOutput(10).build())
                .hasMessageContaining("maxBufferedOutput");
        assertThatThrownBy(() -> ClientOptions.builder().token("a b").build()).hasMessageContaining("token");
    }
}
