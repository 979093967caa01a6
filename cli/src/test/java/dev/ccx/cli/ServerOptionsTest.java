// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {

    private static ServerOptions at(String url) {
        ServerOptions o = new ServerOptions();
        o.url = URI.create(url);
        return o;
    }

    @Test
    void healthUriKeepsHostAndPortAndSwapsTheScheme() {
        assertThat(at("ws://127.0.0.1:8003/ws/mcp?token=secret").http("/health"))
                .isEqualTo(URI.create("http://127.0.0.1:8003/health"));
        assertThat(at("wss://ccx.example/ws/mcp").http("/health")).isEqualTo(URI.create("https://ccx.example/health"));
        assertThat(at("ws://[::1]:9/ws/mcp").http("/health")).isEqualTo(URI.create("http://[::1]:9/health"));
    }

    @Test
    void aUrlWithoutHostIsRefusedByName() {
        assertThatThrownBy(() -> at("localhost").http("/health")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--url localhost names no host");
    }
}
