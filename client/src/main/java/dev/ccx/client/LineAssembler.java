// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.util.function.Consumer;

/**
 * Puts the lines of one stream back together from {@code process.output} messages: {@code truncated} means the next
 * message of the same stream continues the line. A line that grows past {@code maxChars} is emitted in pieces so
 * a process printing one endless line cannot exhaust memory. Not thread-safe: one stream of one execution, fed by
 * the socket reader only.
 */
final class LineAssembler {
    /** Capacity above which the builder is dropped after a line instead of being reused. */
    private static final int KEEP_CAPACITY = 1 << 20;
    private final int maxChars;
    private StringBuilder partial = new StringBuilder();

    LineAssembler(int maxChars) {
        this.maxChars = maxChars;
    }

    /** Feeds one message's {@code data}; calls {@code emit} for each line (or over-long piece) it completes. */
    void feed(String data, boolean truncated, Consumer<String> emit) {
        // The bound applies to the line's text; a final newline never becomes a piece of its own.
        int content = !truncated && data.endsWith("\n") ? data.length() - 1 : data.length();
        if (!truncated && partial.isEmpty() && content <= maxChars) {
            // The common case, a whole line in one message: no copy.
            emit.accept(strip(data));
            return;
        }
        int from = 0;
        while (content - from > maxChars - partial.length()) {
            int take = maxChars - partial.length();
            if (take > 0 && Character.isHighSurrogate(data.charAt(from + take - 1))) {
                take--; // never split a surrogate pair between two calls
            }
            partial.append(data, from, from + take);
            from += take;
            emit.accept(take());
        }
        partial.append(data, from, data.length());
        if (!truncated) {
            emit.accept(strip(take()));
        }
    }

    /** Emits what is left of an unfinished line, at the end of the execution. */
    void flush(Consumer<String> emit) {
        if (!partial.isEmpty()) {
            emit.accept(strip(take()));
        }
    }

    private String take() {
        String s = partial.toString();
        if (partial.capacity() > KEEP_CAPACITY) {
            partial = new StringBuilder();
        } else {
            partial.setLength(0);
        }
        return s;
    }

    private static String strip(String line) {
        return line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    }
}
