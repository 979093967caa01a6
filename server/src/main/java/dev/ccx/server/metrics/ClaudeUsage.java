// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.metrics;

import dev.ccx.protocol.UsageResult;
import dev.ccx.protocol.Wire;
import dev.ccx.server.observe.LineSink;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Cost, tokens and rate-limit retries of the Claude Code executions, read from their stream-json stdout: each
 * {@code result} line adds the turn's cost (the difference of the process's running {@code total_cost_usd}) and
 * its {@code usage} tokens, under the model the process's {@code system/init} line named; each {@code api_retry}
 * caused by a rate limit counts once. Only lines that start like those are kept and parsed; everything else is
 * looked at for a few bytes and let go.
 */
public final class ClaudeUsage {
    /** Different model names counted apart at most; any more are counted as {@code other}. */
    static final int MAX_MODELS = 64;
    /** The longest line parsed; a longer {@code result} (its answer is in it) is skipped. */
    static final int MAX_LINE_BYTES = 16 << 20;
    /** A line buffer this big or smaller is reused; a bigger one is let go. */
    private static final int KEPT_BUFFER_BYTES = 64 * 1024;
    private static final byte[] RESULT = "{\"type\":\"result\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYSTEM = "{\"type\":\"system\"".getBytes(StandardCharsets.US_ASCII);
    private static final String[][] TOKEN_FIELDS = {{"input_tokens", "input"}, {"output_tokens", "output"},
        {"cache_read_input_tokens", "cache_read"}, {"cache_creation_input_tokens", "cache_creation"}};

    private final DoubleAdder cost = new DoubleAdder();
    private final LongAdder turns = new LongAdder();
    private final LongAdder rateLimitRetries = new LongAdder();
    private final Map<TokenKey, LongAdder> tokens = new ConcurrentHashMap<>();

    private record TokenKey(String model, String type) {
    }

    /** A reader for one execution's stdout. */
    LineSink tap() {
        return new Tap();
    }

    /** The totals, for the {@code usage} method. */
    public UsageResult snapshot() {
        List<UsageResult.Tokens> list = new ArrayList<>();
        tokens.forEach((k, v) -> list.add(new UsageResult.Tokens(k.model(), k.type(), v.sum())));
        list.sort(Comparator.comparingLong(UsageResult.Tokens::count).reversed());
        return new UsageResult(cost.sum(), turns.sum(), rateLimitRetries.sum(), list);
    }

    void register(PrometheusRegistry registry) {
        CounterWithCallback.builder().name("ccx_claude_cost_usd")
                .help("Dollars Claude Code reported spending (the sum of every turn's cost)")
                .callback(cb -> cb.call(cost.sum())).register(registry);
        CounterWithCallback.builder().name("ccx_claude_turns").help("Claude Code turns that ended (result lines)")
                .callback(cb -> cb.call(turns.sum())).register(registry);
        CounterWithCallback.builder().name("ccx_claude_rate_limit_retries")
                .help("Claude Code API retries caused by a rate limit (api_retry with status 429)")
                .callback(cb -> cb.call(rateLimitRetries.sum())).register(registry);
        CounterWithCallback.builder().name("ccx_claude_tokens").help("Tokens Claude Code reported, by model and type")
                .labelNames("model", "type")
                .callback(cb -> tokens.forEach((k, v) -> cb.call(v.sum(), k.model(), k.type())))
                .register(registry);
    }

    private void result(JsonNode line, Tap tap) {
        turns.increment();
        double total = line.path("total_cost_usd").asDouble(0);
        // A running total per process: a turn costs the difference. It starts again at 0 in a resumed process.
        cost.add(total >= tap.lastTotal ? total - tap.lastTotal : total);
        tap.lastTotal = total;
        JsonNode usage = line.path("usage");
        for (String[] f : TOKEN_FIELDS) {
            long n = usage.path(f[0]).asLong(0);
            if (n > 0) {
                tokenCounter(tap.model, f[1]).add(n);
            }
        }
    }

    private LongAdder tokenCounter(String model, String type) {
        TokenKey key = new TokenKey(model, type);
        LongAdder counter = tokens.get(key);
        if (counter != null) {
            return counter;
        }
        if (tokens.keySet().stream().map(TokenKey::model).distinct().count() >= MAX_MODELS) {
            key = new TokenKey("other", type);
        }
        return tokens.computeIfAbsent(key, k -> new LongAdder());
    }

    private void system(JsonNode line, Tap tap) {
        String subtype = line.path("subtype").asString("");
        if (subtype.equals("init")) {
            String model = line.path("model").asString("");
            if (!model.isBlank()) {
                tap.model = model;
            }
        } else if (subtype.equals("api_retry") && (line.path("error_status").asInt(0) == 429
                || line.path("error").asString("").equals("rate_limit"))) {
            rateLimitRetries.increment();
        }
    }

    /** One execution's stdout: the model it runs and its last running total. Fed by one thread. */
    private final class Tap implements LineSink {
        private ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean atStart = true;
        private boolean wanted;
        private String model = "unknown";
        private double lastTotal;

        @Override
        public void line(byte[] bytes, int offset, int length, boolean endsLine) {
            if (atStart) {
                // Decided on the line's first bytes: a long line's first piece holds them, but a line may also
                // start in small pieces. Both prefixes are as long.
                int take = Math.min(length, RESULT.length - line.size());
                line.write(bytes, offset, take);
                offset += take;
                length -= take;
                if (line.size() < RESULT.length && !endsLine) {
                    return;
                }
                byte[] head = line.toByteArray();
                wanted = startsWith(head, 0, head.length, RESULT) || startsWith(head, 0, head.length, SYSTEM);
                atStart = false;
                if (!wanted) {
                    line.reset();
                }
            }
            if (wanted) {
                if (line.size() + (long) length > MAX_LINE_BYTES) {
                    wanted = false;
                    line = new ByteArrayOutputStream();
                } else {
                    line.write(bytes, offset, length);
                }
            }
            if (endsLine) {
                if (wanted) {
                    parse();
                }
                // A result line may be megabytes (the answer is in it): its buffer is not kept for the next one.
                line = line.size() > KEPT_BUFFER_BYTES ? new ByteArrayOutputStream() : line;
                line.reset();
                atStart = true;
            }
        }

        private void parse() {
            JsonNode node;
            try {
                node = Wire.mapper().readTree(line.toByteArray());
            } catch (JacksonException e) {
                return; // not stream-json after all
            }
            switch (node.path("type").asString("")) {
                case "result" -> result(node, this);
                case "system" -> system(node, this);
                default -> {
                }
            }
        }
    }

    private static boolean startsWith(byte[] bytes, int offset, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
