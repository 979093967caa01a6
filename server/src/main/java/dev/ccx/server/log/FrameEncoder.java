// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

/**
 * Builds one frame: the complete message (JSON-RPC notification, UTF-8) that carries {@code seq}. Called under the
 * log's lock, so that frames are numbered in the order they are appended: it must be quick and must not block.
 */
@FunctionalInterface
public interface FrameEncoder {
    byte[] encode(long seq);
}
