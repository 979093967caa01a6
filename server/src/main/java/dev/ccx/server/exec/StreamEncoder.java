// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.Methods;
import dev.ccx.protocol.ProcessOutput;
import dev.ccx.server.log.ExecutionLog;
import dev.ccx.server.observe.LineSink;
import dev.ccx.server.process.LineSplitter;
import dev.ccx.server.process.StdStream;

/**
 * One output stream of one execution, from pipe bytes to frames in its log: lines split on bytes, each encoded
 * once into its {@code process.output} notification (ASCII lines straight from the bytes, others through the
 * mapper, chunked as the protocol says) and appended with the next {@code seq}.
 *
 * <p>Fed by the engine's thread for this stream, one call at a time; never blocks.
 */
final class StreamEncoder {
    private final String type;
    private final String executionId;
    private final ExecutionLog log;
    private final OutputChunker chunker = new OutputChunker();
    private final LineSplitter splitter;
    /** Also gets every line (Claude Code's stdout, for its cost and tokens), or {@code null}. */
    private final LineSink tap;
    /** Lines delivered; read by whoever finishes the execution, after this stream's end was reported. */
    private long lines;

    StreamEncoder(StdStream stream, String executionId, int maxLineBytes, ExecutionLog log, LineSink tap) {
        this.tap = tap;
        this.type = stream.wire();
        this.executionId = executionId;
        this.log = log;
        this.splitter = new LineSplitter(maxLineBytes, this::line);
    }

    void feed(byte[] bytes, int offset, int length) {
        splitter.feed(bytes, offset, length);
    }

    /** Delivers a last line without a newline. Call once, at the end of the stream. */
    void finish() {
        splitter.finish();
    }

    long lines() {
        return lines;
    }

    private void line(byte[] bytes, int offset, int length, boolean endsLine) {
        int extra = endsLine && !chunker.inLongLine() ? OutputJson.asciiExtra(bytes, offset, length) : -1;
        if (extra >= 0) {
            log.append(seq -> OutputJson.asciiLine(type, bytes, offset, length, extra, executionId, seq));
        } else {
            chunker.line(bytes, offset, length, endsLine, (data, truncated, index, total) ->
                    log.append(seq -> Notifications.encode(Methods.PROCESS_OUTPUT,
                            new ProcessOutput(type, data, truncated, index, total, executionId, seq))));
        }
        if (tap != null) {
            tap.line(bytes, offset, length, endsLine);
        }
        if (endsLine) {
            lines++;
        }
    }
}
