// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file of JSON lines that is appended to and now and then rewritten whole, for the embedded store's history and
 * the fallback store's pending runs. Losing the disk must never cost an execution anything, so nothing here
 * throws: a failure is logged once (at WARN, until the file works again, which is logged at INFO) and reported by
 * the return value, and the owner carries on in memory.
 *
 * <p>Appends are flushed to the OS at once (a crash of the process loses nothing) but not forced to the device (a
 * crash of the machine may lose the last lines; timing history does not warrant an fsync per run). A rewrite goes
 * to a temporary file that is then moved over the old one atomically, so a crash leaves the old or the new file,
 * never half of one.
 *
 * <p>Not thread-safe: the owner serialises calls.
 */
final class JsonlFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonlFile.class);

    private final Path file;
    private OutputStream out;
    private boolean failing;

    JsonlFile(Path file) {
        this.file = file;
    }

    /** The file's path. */
    Path path() {
        return file;
    }

    /** The lines of the file (a missing file has none; an unreadable one is logged and has none). */
    List<String> read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | SecurityException e) {
            failed("read", e);
            return List.of();
        }
        // Decoding replaces malformed bytes rather than failing the whole file; such lines fail to parse alone.
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Appends one line; false if it could not be written. */
    boolean append(String line) {
        try {
            if (out == null) {
                out = openForAppend();
            }
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            recovered();
            return true;
        } catch (IOException | SecurityException e) {
            closeQuietly();
            failed("append to", e);
            return false;
        }
    }

    /** Replaces the whole file with {@code lines} (deletes it when there are none); false if that failed. */
    boolean rewrite(List<String> lines) {
        closeQuietly();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (lines.isEmpty()) {
                Files.deleteIfExists(file);
            } else {
                Files.createDirectories(file.getParent());
                StringBuilder text = new StringBuilder(lines.size() * 256);
                for (String line : lines) {
                    text.append(line).append('\n');
                }
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                move(tmp);
            }
            recovered();
            return true;
        } catch (IOException | SecurityException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | SecurityException ignored) {
                // The next rewrite overwrites it.
            }
            failed("rewrite", e);
            return false;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private OutputStream openForAppend() throws IOException {
        Files.createDirectories(file.getParent());
        // A crash may have left a last line without its line break; end it, or the next line would join it and
        // both would be lost.
        boolean endsOpen = false;
        if (Files.exists(file) && Files.size(file) > 0) {
            try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.position(ch.size() - 1).read(last);
                endsOpen = last.get(0) != '\n';
            }
        }
        OutputStream o = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        if (endsOpen) {
            o.write('\n');
        }
        return o;
    }

    private void move(Path tmp) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void failed(String what, Exception e) {
        if (!failing) {
            failing = true;
            LOG.warn("cannot {} {} ({}); timing history is kept in memory only until it can be written",
                    what, file, e.toString());
        } else {
            LOG.debug("still cannot {} {}: {}", what, file, e.toString());
        }
    }

    private void recovered() {
        if (failing) {
            failing = false;
            LOG.info("{} can be written again", file);
        }
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", file, e.toString());
            }
            out = null;
        }
    }
}
