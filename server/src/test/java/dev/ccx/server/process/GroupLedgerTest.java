// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.os.ProcStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupLedgerTest {
    @TempDir
    Path state;

    private List<Path> journals() throws Exception {
        try (Stream<Path> files = Files.list(state.resolve("groups"))) {
            return files.toList();
        }
    }

    @Test
    void aDeadServersRunningGroupsAreClaimedAndItsJournalGoes() throws Exception {
        Process sleeper = new ProcessBuilder("setsid", "sleep", "30").start();
        try {
            long pgid = sleeper.pid();
            long start = ProcStat.startTicks(pgid).orElseThrow();
            Files.createDirectories(state.resolve("groups"));
            // Owner pid 1 with a start time it never had: a server that is gone.
            Files.writeString(state.resolve("groups/1-12345.0.journal"), "+ " + pgid + " " + start + " sleep 30\n"
                    + "+ 999999999 7 ended later\n- 999999999\n+ 4194304 1 a pid with another start time\n+ 12");
            Files.writeString(state.resolve("groups/1-12345.1.journal"), "+ " + pgid + " " + start + " sleep 30\n");

            List<GroupLedger.Leftover> leftovers = new GroupLedger(state).claimLeftovers();

            assertThat(leftovers).extracting(l -> l.group().pgid()).containsExactly(pgid);
            assertThat(leftovers.getFirst().command()).isEqualTo("sleep 30");
            assertThat(journals()).isEmpty();
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLiveServersJournalIsLeftAlone() throws Exception {
        GroupLedger mine = new GroupLedger(state);
        mine.record(new ProcessGroup(ProcessHandle.current().pid()), "the test itself");

        assertThat(new GroupLedger(state).claimLeftovers()).isEmpty();
        assertThat(journals()).hasSize(1);
        mine.forget(new ProcessGroup(ProcessHandle.current().pid()));
        mine.close();
        assertThat(journals()).as("nothing running: the journal goes on close").isEmpty();
    }

    @Test
    void theJournalStaysSmallAndReplaysToWhatIsRunning() throws Exception {
        GroupLedger ledger = new GroupLedger(state);
        ProcessGroup kept = new ProcessGroup(ProcessHandle.current().pid());
        ledger.record(kept, "still running\nwith a newline");
        for (int i = 0; i < 5_000; i++) {
            ProcessGroup g = new ProcessGroup(4_000_000 + i);
            ledger.record(g, "short-lived " + i);
            ledger.forget(g);
        }
        List<Path> files = journals();
        assertThat(files).hasSize(1);
        List<String> lines = Files.readAllLines(files.getFirst());
        assertThat(lines.size()).isLessThan(2 * 1024 + 2);
        assertThat(lines).anyMatch(l -> l.endsWith("still running with a newline"));
    }
}
