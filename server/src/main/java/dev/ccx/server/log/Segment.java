// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One spill file of a log: frames as {@code [4-byte big-endian length][bytes]}, appended by the spill thread and
 * read back at any offset already written (positional I/O, safe alongside the appends).
 *
 * <p>Each read opens a channel of its own. A {@link FileChannel} is closed for good when a thread using it is
 * interrupted, and readers are connections' writers, which are interrupted when their connection goes: on a shared
 * channel that broke the file for every other follower and for the spill thread.
 */
final class Segment {
    private final Path path;
    /** Open while the log may still spill into it; written and closed by the spill thread only. */
    private FileChannel channel;
    /** Bytes written; changed by the spill thread under the log's lock. */
    long size;

    private Segment(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    static Segment create(Path path) throws IOException {
        return new Segment(path, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /** Writes {@code data} whole at {@code offset}. */
    void write(ByteBuffer data, long offset) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.WRITE);
        }
        long at = offset;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
    }

    /**
     * Closes the file for writing: a retained log of an ended execution holds no descriptor (a thousand of them
     * would hold thousands). A later write opens it again.
     */
    void closeWriter() {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing was pending on it: writes are positional and complete
            }
        }
    }

    /** Reads {@code length} bytes at {@code offset}. */
    ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long at = offset;
            while (buffer.hasRemaining()) {
                int n = in.read(buffer, at);
                if (n < 0) {
                    throw new EOFException(path + " ends at " + at + ", expected " + (offset + length));
                }
                at += n;
            }
        }
        return buffer.flip();
    }

    /** Closes and deletes the file; failures are only worth a retry by nobody. */
    void delete() {
        closeWriter();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a leftover spill file is removed at the next start
        }
    }
}
