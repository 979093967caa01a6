// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.UsageResult;
import dev.ccx.server.observe.LineSink;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClaudeUsageTest {
    private static void feed(LineSink sink, String line, int piece) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < b.length; off += piece) {
            int len = Math.min(piece, b.length - off);
            sink.line(b, off, len, off + len == b.length);
        }
    }

    private static long tokens(UsageResult r, String model, String type) {
        return r.tokens().stream().filter(t -> t.model().equals(model) && t.type().equals(type))
                .mapToLong(UsageResult.Tokens::count).sum();
    }

    @Test
    void aTurnCostsTheDifferenceOfRunningTotalsAndLongLinesArriveInPieces() {
        ClaudeUsage usage = new ClaudeUsage();
        LineSink a = usage.tap();
        LineSink b = usage.tap();
        feed(a, "{\"type\":\"system\",\"subtype\":\"init\",\"model\":\"m1\"}", 7);
        feed(b, "{\"type\":\"assistant\",\"message\":{\"content\":\"{\\\"type\\\":\\\"result\\\"\"}}", 5);
        feed(a, "{\"type\":\"result\",\"total_cost_usd\":0.5,\"usage\":{\"input_tokens\":10,\"output_tokens\":2},"
                + "\"result\":\"" + "x".repeat(10_000) + "\"}", 4096);
        feed(a, "{\"type\":\"result\",\"total_cost_usd\":0.75,\"usage\":{\"input_tokens\":5}}", 1 << 20);
        // Another process: its own running total, no init line seen.
        feed(b, "{\"type\":\"result\",\"total_cost_usd\":0.1,\"usage\":{\"output_tokens\":1}}", 3);
        feed(b, "{\"type\":\"system\",\"subtype\":\"api_retry\",\"error_status\":429,\"error\":\"rate_limit\"}", 9);
        feed(b, "{\"type\":\"system\",\"subtype\":\"api_retry\",\"error_status\":529,\"error\":\"overloaded\"}", 9);
        feed(b, "not json at all", 4);
        feed(b, "{\"type\":\"result\" broken", 4);

        UsageResult r = usage.snapshot();
        assertThat(r.costUsd()).isEqualTo(0.85, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.turns()).isEqualTo(3);
        assertThat(r.rateLimitRetries()).isEqualTo(1);
        assertThat(tokens(r, "m1", "input")).isEqualTo(15);
        assertThat(tokens(r, "m1", "output")).isEqualTo(2);
        assertThat(tokens(r, "unknown", "output")).isEqualTo(1);
    }

    @Test
    void aResumedProcessStartsItsTotalAgain() {
        ClaudeUsage usage = new ClaudeUsage();
        LineSink a = usage.tap();
        feed(a, "{\"type\":\"result\",\"total_cost_usd\":0.5}", 100);
        feed(a, "{\"type\":\"result\",\"total_cost_usd\":0.2}", 100);
        assertThat(usage.snapshot().costUsd()).isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void modelNamesAreBounded() {
        ClaudeUsage usage = new ClaudeUsage();
        for (int i = 0; i < ClaudeUsage.MAX_MODELS + 10; i++) {
            LineSink s = usage.tap();
            feed(s, "{\"type\":\"system\",\"subtype\":\"init\",\"model\":\"m" + i + "\"}", 100);
            feed(s, "{\"type\":\"result\",\"total_cost_usd\":0,\"usage\":{\"input_tokens\":1}}", 100);
        }
        UsageResult r = usage.snapshot();
        assertThat(r.tokens().stream().map(UsageResult.Tokens::model).distinct().count())
                .isEqualTo(ClaudeUsage.MAX_MODELS + 1);
        assertThat(tokens(r, "other", "input")).isEqualTo(10);
    }
}
