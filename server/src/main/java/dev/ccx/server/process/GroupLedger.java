// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import dev.ccx.server.os.ProcStat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk list of process groups this server has running, so that a server killed with SIGKILL (no shutdown
 * hook runs) does not leave them behind: the next start reads the list and ends them.
 *
 * <p>Each group is one small file holding its leader's pid and start time and its owner's (this server's) pid and
 * start time. A leftover is ended only if its owner is dead and the group is provably the one recorded: the leader
 * still has the recorded start time, or the leader is gone and members remain (the kernel does not reuse a pid
 * while it still names a live group). A second server using the same directory is never touched.
 */
public final class GroupLedger {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLedger.class);
    private final Path dir;
    private final long ownerPid;
    private final long ownerStart;

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
        Properties p = new Properties();
        p.setProperty("pgid", Long.toString(group.pgid()));
        p.setProperty("start", Long.toString(ProcStat.startTicks(group.pgid()).orElse(-1)));
        p.setProperty("owner", Long.toString(ownerPid));
        p.setProperty("owner_start", Long.toString(ownerStart));
        p.setProperty("command", command.length() > 200 ? command.substring(0, 200) : command);
        Path file = file(group.pgid());
        Path tmp = dir.resolve(group.pgid() + ".tmp");
        try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(out, null);
        } catch (IOException e) {
            LOG.warn("cannot record process group {} in {}: {}", group.pgid(), dir, e.toString());
            return;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot record process group {} in {}: {}", group.pgid(), dir, e.toString());
        }
    }

    /** Forgets a group that has ended. */
    public void forget(ProcessGroup group) {
        try {
            Files.deleteIfExists(file(group.pgid()));
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", file(group.pgid()), e.toString());
        }
    }

    /**
     * Finds the groups that a dead previous server left running, removing their records. The caller ends them.
     */
    public List<Leftover> claimLeftovers() {
        List<Leftover> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.group")) {
            for (Path f : files) {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    p.load(in);
                } catch (IOException | IllegalArgumentException e) {
                    LOG.warn("ignoring unreadable group record {}: {}", f, e.toString());
                    continue;
                }
                Leftover l = Leftover.of(p);
                if (l == null || isAlive(l.owner(), l.ownerStart())) {
                    continue; // a live server owns it, or it is not ours to judge
                }
                if (l.stillOurs()) {
                    found.add(l);
                }
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.warn("cannot read state directory {}: {}", dir, e.toString());
        }
        return found;
    }

    private static boolean isAlive(long pid, long start) {
        OptionalLong actual = ProcStat.startTicks(pid);
        return actual.isPresent() && actual.getAsLong() == start;
    }

    private Path file(long pgid) {
        return dir.resolve(pgid + ".group");
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
        static Leftover of(Properties p) {
            try {
                return new Leftover(new ProcessGroup(Long.parseLong(p.getProperty("pgid"))),
                        Long.parseLong(p.getProperty("start")), Long.parseLong(p.getProperty("owner")),
                        Long.parseLong(p.getProperty("owner_start")), p.getProperty("command", ""));
            } catch (RuntimeException e) {
                return null;
            }
        }

        boolean stillOurs() {
            OptionalLong leader = ProcStat.startTicks(group.pgid());
            if (leader.isPresent()) {
                return leader.getAsLong() == start;
            }
            return group.isAlive();
        }
    }
}
