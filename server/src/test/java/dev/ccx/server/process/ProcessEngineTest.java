// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ccx.server.os.ProcStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every engine must do, checked on both with real processes. */
class ProcessEngineTest {
    @TempDir
    Path dir;
    private ProcessEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private RunningProcess spawn(Engines.Choice choice, Recorder r, boolean stdin, String... argv) throws Exception {
        engine = engine == null ? Engines.open(choice) : engine;
        return engine.spawn(request(dir, stdin, argv), r);
    }

    static SpawnRequest request(Path cwd, boolean stdin, String... argv) {
        Path program = argv[0].contains("/") ? Path.of(argv[0]) : List.of("/usr/bin", "/bin").stream()
                .map(d -> Path.of(d, argv[0])).filter(Files::isExecutable).findFirst().orElseThrow();
        return new SpawnRequest(program, List.of(argv), cwd, Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C"), stdin);
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void theChildLeadsItsOwnSessionAndGroup(Engines.Choice choice) throws Exception {
        Recorder r = new Recorder();
        RunningProcess p = spawn(choice, r, true, "cat");
        long pid = p.pid();
        assertThat(ProcStat.processGroup(pid)).hasValue(pid);
        assertThat(ProcStat.session(pid)).hasValue(pid);
        p.closeStdin();
        assertThat(r.awaitEnd()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void itRunsInTheWorkingDirectoryWithExactlyTheEnvironmentGiven(Engines.Choice choice) throws Exception {
        Recorder r = new Recorder();
        spawn(choice, r, false, "sh", "-c", "pwd; env | sort");
        assertThat(r.awaitEnd()).isZero();
        assertThat(r.text(StdStream.STDOUT)).startsWith(dir.toRealPath() + "\n").contains("LC_ALL=C\n")
                .contains("PATH=/usr/bin:/bin\n").doesNotContain("HOME=");
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void eightMebibytesThroughCatOnStdinComeBackIntact(Engines.Choice choice) throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(42).nextBytes(data);
        Recorder r = new Recorder();
        RunningProcess p = spawn(choice, r, true, "cat");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int off = 0; off < data.length; off += 1 << 20) {
            writes.add(p.writeStdin(java.util.Arrays.copyOfRange(data, off, off + (1 << 20))).done());
        }
        p.closeStdin();
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(r.awaitEnd()).isZero();
        byte[] back = r.bytes(StdStream.STDOUT);
        assertThat(back.length).isEqualTo(data.length);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(back)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void theExitIsReportedWhileAGrandchildStillHoldsThePipes(Engines.Choice choice) throws Exception {
        Recorder r = new Recorder();
        RunningProcess p = spawn(choice, r, false, "sh", "-c", "sleep 30 & echo $!");
        long started = System.nanoTime();
        assertThat(r.exit.get(5, TimeUnit.SECONDS)).isZero();
        assertThat((System.nanoTime() - started) / 1_000_000).as("exit seen, ms").isLessThan(2_000);
        if (choice == Engines.Choice.NATIVE) {
            // The JDK drains and closes a child's pipes itself when the child exits (ProcessImpl), whoever else
            // still writes to them; the native engine reads them until every writer is gone.
            assertThat(r.isClosed(StdStream.STDOUT)).as("the grandchild still holds stdout").isFalse();
        }
        assertThat(new ProcessGroup(p.pid()).isAlive()).isTrue();
        new ProcessGroup(p.pid()).signal(Signal.KILL);
        r.awaitEnd();
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE", "JDK"})
    void exitCodesAreTheShells(Engines.Choice choice) throws Exception {
        Recorder exit = new Recorder();
        spawn(choice, exit, false, "sh", "-c", "exit 3");
        assertThat(exit.awaitEnd()).isEqualTo(3);
        Recorder killed = new Recorder();
        spawn(choice, killed, false, "sh", "-c", "kill -TERM $$");
        assertThat(killed.awaitEnd()).isEqualTo(143);
    }

    @ParameterizedTest
    @EnumSource(value = Engines.Choice.class, names = {"NATIVE"})
    void programsTheKernelWillNotRunAreSpawnFailuresNamingTheReason(Engines.Choice choice) throws Exception {
        Path script = dir.resolve("no-shebang");
        Files.writeString(script, "echo hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> spawn(choice, new Recorder(), false, script.toString()))
                .isInstanceOf(SpawnException.class).hasMessage("error=8, Exec format error");
        Path missing = dir.resolve("gone");
        assertThatThrownBy(() -> engine.spawn(new SpawnRequest(Path.of("/bin/true"), List.of("true"), missing, Map.of(),
                false), new Recorder())).isInstanceOf(SpawnException.class)
                .hasMessage("error=2, No such file or directory");
    }
}
