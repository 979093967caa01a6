// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.client.claude.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ClaudeOptionsTest {

    /** The retry policy {@code ccx claude ARGS} would use. */
    private static RetryPolicy retry(String... args) {
        ClaudeRunCommand c = new ClaudeRunCommand(null, null, null);
        new CommandLine(c).parseArgs(args);
        return c.claude.task("p", c.exec).retry();
    }

    @Test
    void defaultsAreThoseOfRetryPolicyDefault() {
        assertThat(retry("p")).isEqualTo(RetryPolicy.DEFAULT);
    }

    @Test
    void attemptsAndRetryDelaySetThePolicy() {
        RetryPolicy p = retry("--attempts", "2", "--retry-delay", "0.25", "p");
        assertThat(p.maxAttempts()).isEqualTo(2);
        assertThat(p.baseDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(p.maxDelay()).isEqualTo(RetryPolicy.DEFAULT.maxDelay());
        assertThat(retry("--retry-delay", "0", "p").baseDelay()).isZero();
    }

    @Test
    void aRetryDelayAboveTheCapRaisesTheCapInsteadOfBeingClamped() {
        RetryPolicy p = retry("--retry-delay", "90", "p");
        assertThat(p.baseDelay()).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void badValuesAreUsageErrorsThatNameTheOption() {
        CliCapture cli = new CliCapture();
        assertThat(cli.run("claude", "--attempts", "0", "p")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("--attempts must be at least 1");
        cli.reset();
        assertThat(cli.run("claude", "--retry-delay", "-1", "p")).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("--retry-delay must be a number of seconds, 0 or more, got -1.0");
    }
}
