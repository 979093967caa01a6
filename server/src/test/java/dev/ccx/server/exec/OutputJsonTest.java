// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.Envelopes;
import dev.ccx.protocol.Methods;
import dev.ccx.protocol.ProcessOutput;
import dev.ccx.protocol.Wire;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputJsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "hello\n", "tab\there\r\n", "quote \" and backslash \\ \n", "\u0000\u0001\u001f\u007f\n",
            "\b\f", "{\"type\":\"result\",\"result\":\"a\\nb\"}\n", "no newline"})
    void writesExactlyWhatTheMapperWritesForAsciiLines(String line) {
        byte[] bytes = ("xx" + line + "yy").getBytes(StandardCharsets.US_ASCII);
        int extra = OutputJson.asciiExtra(bytes, 2, bytes.length - 4);
        assertThat(extra).isNotNegative();
        String fast = new String(OutputJson.asciiLine("stderr", bytes, 2, bytes.length - 4, extra, "abc123", 42),
                StandardCharsets.UTF_8);
        String general = Wire.mapper().writeValueAsString(new Envelopes.Notification(Methods.PROCESS_OUTPUT,
                new ProcessOutput("stderr", line, false, null, null, "abc123", 42)));
        assertThat(fast).isEqualTo(general);
    }

    @Test
    void declinesNonAsciiAndOverlongLines() {
        byte[] utf8 = "caf\u00e9\n".getBytes(StandardCharsets.UTF_8);
        assertThat(OutputJson.asciiExtra(utf8, 0, utf8.length)).isEqualTo(-1);
        byte[] invalid = {'o', 'k', (byte) 0xff, '\n'};
        assertThat(OutputJson.asciiExtra(invalid, 0, invalid.length)).isEqualTo(-1);
        byte[] longLine = new byte[Wire.CHUNK_CHARS + 1];
        java.util.Arrays.fill(longLine, (byte) 'a');
        assertThat(OutputJson.asciiExtra(longLine, 0, longLine.length)).isEqualTo(-1);
    }
}
