// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * Receives the output of one execution, line by line.
 *
 * <p><b>Lines.</b> Each call carries one whole line without its terminating {@code \n}, however the server split
 * it (chunks of long lines, pieces of lines longer than the server's {@code max_line}). A last line that the
 * process ended without a newline is delivered as it is. One exception bounds memory: a line longer than
 * {@link ClientOptions#maxBufferedOutput()} characters (or, for a {@link Command#streamOnly} command, than its own
 * limit) is delivered in several calls of at most that size.
 *
 * <p><b>Threads and order.</b> Calls come from the {@link ClientOptions#callbackExecutor()} (by default a virtual
 * thread of the execution's own), never from the socket reader, and never two at once for one execution. Lines of
 * one stream arrive in the order the process wrote them; the two streams are interleaved in the order the server
 * read them. Every call for an execution has returned before {@link RunningCommand#result()} completes normally.
 *
 * <p><b>Failure.</b> An exception thrown by {@link #line} is logged ({@link System.Logger}) and does not stop later
 * lines or the execution. A slow listener delays only the listeners of its own execution; lines wait for it in
 * memory, so keep it quick.
 */
@FunctionalInterface
public interface OutputListener {
    /**
     * One line of output.
     *
     * @param stream {@link Stream#STDOUT} or {@link Stream#STDERR}
     * @param line   the line, without the {@code \n} that ended it
     */
    void line(Stream stream, String line);

    /**
     * Called once after the last {@link #line} call of the execution: when it ended, when its connection was lost,
     * or when the client was closed. Same thread rules as {@link #line}. Does nothing by default.
     */
    default void end() {
    }
}
