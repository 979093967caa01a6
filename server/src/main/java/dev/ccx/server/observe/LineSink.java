// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.observe;

/** Receives an output stream line by line, a long line in several pieces, as the line splitter cuts it. */
@FunctionalInterface
public interface LineSink {
    /**
     * @param bytes    the buffer (only valid during the call)
     * @param offset   where the piece starts
     * @param length   its length, without the newline
     * @param endsLine whether the line ends with this piece
     */
    void line(byte[] bytes, int offset, int length, boolean endsLine);
}
