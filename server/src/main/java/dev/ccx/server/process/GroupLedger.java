// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import dev.ccx.server.os.ProcStat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk list of process groups this server has running, so that a server killed with SIGKILL (no shutdown
 * hook runs) does not leave them behind: the next start reads the list and ends them.
 *
 * <p>Each server appends to a journal of its own, {@code groups/PID-START.GEN.journal} (its pid and start time):
 * {@code + PGID LEADER_START COMMAND} when a group starts, {@code - PGID} when it is gone. One {@code write} of a
 * short line each, to the page cache (a server killed by SIGKILL loses nothing the kernel has); no file is created
 * or renamed per execution. When the journal has grown to several times the groups still running, the next
 * generation is started with just those, and the old one is deleted.
 *
 * <p>A leftover is ended only if its owner is dead and the group is provably the one recorded: the leader still has
 * the recorded start time, or the leader is gone and members remain (the kernel does not reuse a pid while it still
 * names a live group). A second server using the same directory is never touched.
 */
public final class GroupLedger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLedger.class);
    private static final String SUFFIX = ".journal";
    private static final int MIN_COMPACT_LINES = 1024;

    private final Path dir;
    private final long ownerPid;
    private final long ownerStart;
    private final Map<Long, String> live = new ConcurrentHashMap<>();
    /** Guards the journal's channel, generation and line count; held for one short append at a time. */
    private final Object journal = new Object();
    private FileChannel channel;
    private int generation;
    private long lines;
    private boolean failed;

    /** Opens (creating if needed) the ledger in {@code stateDir/groups}. */
    public GroupLedger(Path stateDir) {
        this.dir = stateDir.resolve("groups");
        this.ownerPid = ProcessHandle.current().pid();
        this.ownerStart = ProcStat.startTicks(ownerPid).orElse(-1);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + dir, e);
        }
    }

    /** Records a newly started group. */
    public void record(ProcessGroup group, String command) {
        String line = "+ " + group.pgid() + " " + ProcStat.startTicks(group.pgid()).orElse(-1) + " "
                + oneLine(command) + "\n";
        live.put(group.pgid(), line);
        append(line);
    }

    /** Forgets a group that has ended. */
    public void forget(ProcessGroup group) {
        if (live.remove(group.pgid()) != null) {
            append("- " + group.pgid() + "\n");
        }
    }

    private void append(String line) {
        Path old = null;
        synchronized (journal) {
            try {
                if (channel == null) {
                    channel = open(generation);
                }
                write(channel, line);
                lines++;
                if (lines > MIN_COMPACT_LINES && lines > 4L * live.size()) {
                    old = nextGeneration();
                }
                failed = false;
            } catch (IOException e) {
                if (!failed) {
                    failed = true;
                    LOG.warn("cannot write the group journal in {} ({}); a crash now could leave groups running",
                            dir, e.toString());
                }
            }
        }
        if (old != null) {
            deleteQuietly(old);
        }
    }

    /** Starts a journal holding only the running groups; returns the old one, for the caller to delete. */
    private Path nextGeneration() throws IOException {
        FileChannel next = open(generation + 1);
        for (String line : live.values()) {
            write(next, line);
        }
        channel.close();
        Path old = file(generation);
        generation++;
        channel = next;
        lines = live.size();
        return old;
    }

    private FileChannel open(int gen) throws IOException {
        return FileChannel.open(file(gen), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    private static void write(FileChannel channel, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private Path file(int gen) {
        return dir.resolve(ownerPid + "-" + ownerStart + "." + gen + SUFFIX);
    }

    /**
     * Finds the groups that dead previous servers left running, and removes their journals. The caller ends them.
     */
    public List<Leftover> claimLeftovers() {
        Map<String, TreeMap<Integer, Path>> byOwner = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String[] parts = f.getFileName().toString().split("\\.");
                if (parts.length == 3 && parts[1].matches("\\d+")) {
                    byOwner.computeIfAbsent(parts[0], o -> new TreeMap<>()).put(Integer.parseInt(parts[1]), f);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read state directory {}: {}", dir, e.toString());
            return List.of();
        }
        List<Leftover> found = new ArrayList<>();
        byOwner.forEach((owner, generations) -> {
            String[] ids = owner.split("-");
            long pid;
            long start;
            try {
                pid = Long.parseLong(ids[0]);
                start = Long.parseLong(ids[1]);
            } catch (RuntimeException e) {
                return; // not a journal of ours
            }
            if (isAlive(pid, start)) {
                return; // a live server owns it
            }
            Map<Long, Leftover> running = new LinkedHashMap<>();
            for (Path f : generations.values()) {
                replay(f, pid, start, running);
            }
            running.values().stream().filter(Leftover::stillOurs).forEach(found::add);
            generations.values().forEach(GroupLedger::deleteQuietly);
        });
        return found;
    }

    private static void replay(Path journal, long owner, long ownerStart, Map<Long, Leftover> running) {
        List<String> lines;
        try {
            lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("ignoring unreadable group journal {}: {}", journal, e.toString());
            return;
        }
        for (String line : lines) {
            String[] f = line.split(" ", 4);
            try {
                long pgid = Long.parseLong(f[1]);
                if (f[0].equals("+")) {
                    running.put(pgid, new Leftover(new ProcessGroup(pgid), Long.parseLong(f[2]), owner, ownerStart,
                            f.length > 3 ? f[3] : ""));
                } else if (f[0].equals("-")) {
                    running.remove(pgid);
                }
            } catch (RuntimeException e) {
                // a torn last line after a crash: what it was about is unknown, and nothing else is lost
            }
        }
    }

    /** Closes the journal; it is deleted when no group it names is still running. */
    @Override
    public void close() {
        synchronized (journal) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // closing: nothing more will be written
            }
            channel = null;
            if (live.isEmpty()) {
                deleteQuietly(file(generation));
            }
        }
    }

    private static boolean isAlive(long pid, long start) {
        OptionalLong actual = ProcStat.startTicks(pid);
        return actual.isPresent() && actual.getAsLong() == start;
    }

    private static String oneLine(String command) {
        String s = command.replace('\n', ' ').replace('\r', ' ');
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", file, e.toString());
        }
    }

    /**
     * A group recorded by a server that is no longer running.
     *
     * @param group      the group
     * @param start      the leader's recorded start time
     * @param owner      the pid of the server that started it
     * @param ownerStart that server's start time
     * @param command    the command, shortened, for the log
     */
    public record Leftover(ProcessGroup group, long start, long owner, long ownerStart, String command) {
        boolean stillOurs() {
            OptionalLong leader = ProcStat.startTicks(group.pgid());
            if (leader.isPresent()) {
                return leader.getAsLong() == start;
            }
            return group.isAlive();
        }
    }
}
