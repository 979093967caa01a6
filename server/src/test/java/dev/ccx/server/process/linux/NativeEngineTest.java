// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.process.Recorder;
import dev.ccx.server.process.RunningProcess;
import dev.ccx.server.process.SpawnRequest;
import dev.ccx.server.process.StdStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only the native engine promises about the children it makes, read from {@code /proc}. */
class NativeEngineTest {
    private NativeEngine engine;

    @BeforeEach
    void open() throws Exception {
        assertThat(NativeEngine.unsupported()).as("this machine runs the native engine").isNull();
        engine = new NativeEngine(Threads.platform("test-poller"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static SpawnRequest request(String... argv) {
        Path program = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, argv[0])).filter(Files::isExecutable)
                .findFirst().orElseThrow();
        return new SpawnRequest(program, List.of(argv), Path.of("/"), Map.of("PATH", "/usr/bin:/bin"), false);
    }

    @Test
    void theChildStartsWithNoSignalBlockedOrIgnoredAndSigpipeAtItsDefault() throws Exception {
        Recorder r = new Recorder();
        engine.spawn(request("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"), r);
        assertThat(r.awaitEnd()).isZero();
        assertThat(r.text(StdStream.STDOUT)).isEqualTo("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    }

    @Test
    void theChildInheritsNoDescriptorButItsThree() throws Exception {
        Recorder r = new Recorder();
        RunningProcess p = engine.spawn(new SpawnRequest(Path.of("/bin/cat"), List.of("cat"), Path.of("/tmp"),
                Map.of(), true), r);
        // Once cat has echoed a line it is past its start-up (which opens files of its own) and waits on stdin.
        p.writeStdin("ready\n".getBytes()).done().get(5, java.util.concurrent.TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!r.text(StdStream.STDOUT).equals("ready\n")) {
            assertThat(System.nanoTime() < deadline).as("echo").isTrue();
            Thread.sleep(1);
        }
        Set<String> fds;
        String described = describe(p.pid());
        try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
            fds = list.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
        assertThat(fds).as(described).containsExactlyInAnyOrder("0", "1", "2");
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))).isEqualTo(Path.of("/tmp"));
        p.closeStdin();
        assertThat(r.awaitEnd()).isZero();
    }

    @Test
    void aThousandSpawnsLeaveNoZombieAndNoDescriptorBehind() throws Exception {
        for (int i = 0; i < 20; i++) { // warm up: the poller's and the JVM's own descriptors settle
            Recorder r = new Recorder();
            engine.spawn(request("true"), r);
            r.awaitEnd();
        }
        long before = openDescriptors();
        for (int i = 0; i < 1_000; i++) {
            Recorder r = new Recorder();
            engine.spawn(request("true"), r);
            assertThat(r.awaitEnd()).isZero();
        }
        // At most as many: a descriptor another test left to a cleaner may close meanwhile; a leak adds 1,000.
        assertThat(openDescriptors()).isLessThanOrEqualTo(before);
        assertThat(zombieChildren()).isEmpty();
    }

    private static String describe(long pid) {
        try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return list.map(f -> {
                try {
                    return f.getFileName() + "->" + Files.readSymbolicLink(f);
                } catch (IOException e) {
                    return f.getFileName() + "->?";
                }
            }).collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "gone";
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Our children that have exited and not been reaped. */
    private static List<String> zombieChildren() throws IOException {
        String self = Long.toString(ProcessHandle.current().pid());
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).map(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return f[0].equals("Z") && f[1].equals(self) ? p.getFileName().toString() : null;
                } catch (IOException e) {
                    return null;
                }
            }).filter(s -> s != null).toList();
        }
    }
}
