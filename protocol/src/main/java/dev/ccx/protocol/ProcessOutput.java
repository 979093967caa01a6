// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of {@code process.output}: one line of a stream, or a piece of one.
 *
 * <p>{@code truncated} means "this message does not end its line: the next {@code process.output} of the same
 * {@code type} and execution continues it". Concatenating {@code data} until a message with {@code truncated:false}
 * gives the whole line back, whether it was chunked for the socket (lines over 65,536 characters) or split because
 * it was longer than the server's {@code max_line}.
 *
 * @param type        {@code stdout} or {@code stderr}
 * @param data        the text, UTF-8 decoded with U+FFFD for invalid bytes; the trailing {@code \n} is kept when
 *                    the process wrote one
 * @param truncated   {@code true} when more of the same line follows
 * @param chunkIndex  0-based piece number within the line; {@code null} for a line sent in one message
 * @param totalChunks number of pieces when known up front; {@code null} for a single message, and for a line longer
 *                    than {@code max_line}, which is streamed without being held whole
 * @param executionId the execution
 * @param seq         per-execution sequence number
 */
public record ProcessOutput(String type, String data, boolean truncated, Integer chunkIndex, Integer totalChunks,
                            String executionId, long seq) {
}
