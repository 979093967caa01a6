// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Batches and task lists against a real server. */
@ExtendWith(Groups.class)
class TaskIT {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    /** Task i of the mixed batch: fails, times out, does not exist, or echoes. */
    private static Command mixed(int i) {
        if (i == 13) {
            return Command.argv("/nonexistent/program-" + i);
        }
        if (i % 7 == 3) {
            return Command.shell("echo slow" + i + "; sleep 30");
        }
        if (i % 5 == 4) {
            return Command.shell("echo failing" + i + " >&2; exit " + (i % 10 + 1));
        }
        return Command.shell("echo task" + i);
    }

    private static void checkMixed(List<TaskResult> results, int n) {
        assertThat(results).hasSize(n);
        for (int i = 0; i < n; i++) {
            TaskResult r = results.get(i);
            assertThat(r.index()).isEqualTo(i);
            if (r.result() != null) {
                Groups.saw(r.result().pid());
            }
            if (i == 13) {
                assertThat(r.status()).as("task %d", i).isEqualTo(TaskStatus.ERROR);
                assertThat(r.message()).contains("/nonexistent/program-13");
            } else if (i % 7 == 3) {
                assertThat(r.status()).as("task %d", i).isEqualTo(TaskStatus.TIMEOUT);
                assertThat(r.result().stdout()).isEqualTo("slow" + i + "\n");
            } else if (i % 5 == 4) {
                assertThat(r.status()).as("task %d", i).isEqualTo(TaskStatus.FAILED);
                assertThat(r.result().exitCode()).isEqualTo(i % 10 + 1);
                assertThat(r.result().stderr()).isEqualTo("failing" + i + "\n");
            } else {
                assertThat(r.status()).as("task %d: %s", i, r.message()).isEqualTo(TaskStatus.SUCCESS);
                assertThat(r.result().stdout()).isEqualTo("task" + i + "\n");
            }
        }
    }

    @Test
    void batchOfTwentyWithConcurrencyFourOverSeveralConnections() {
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            commands.add(mixed(i));
        }
        long t0 = System.nanoTime();
        List<TaskResult> results = Batch.of(4, Duration.ofSeconds(1)).run(server.uri(), ClientOptions.defaults(),
                commands);
        checkMixed(results, 20);
        // Three 1 s timeouts spread over four slots: well under running them one by one.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(Groups.survivors(5_000)).isEmpty();
        assertThat(server.server().health().activeSessions()).isZero();
    }

    @Test
    void batchOnOneConnectionWhenTheSessionAllowsIt() {
        try (TestServer multi = TestServer.start(b -> b.maxProcessesPerSession(8))) {
            List<Command> commands = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                commands.add(mixed(i));
            }
            checkMixed(Batch.of(4, Duration.ofSeconds(1)).run(multi.uri(), ClientOptions.defaults(), commands), 20);
        }
    }

    @Test
    void batchCarriesOnOverANewConnectionWhenOneBreaks() throws Exception {
        try (TcpProxy proxy = new TcpProxy(server.uri().getPort())) {
            java.net.URI via = java.net.URI.create("ws://127.0.0.1:" + proxy.port() + "/ws/mcp");
            List<Command> commands = List.of(Command.shell("echo first; sleep 30"), Command.shell("echo second"),
                    Command.shell("echo third"));
            // On the common pool on purpose: the batch's waits must let the pool compensate, because the JDK's
            // HttpClient completes its futures there (with 2 cores the pool has a single thread).
            var batch = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Batch.of(1, Duration.ofSeconds(20)).run(via, ClientOptions.defaults(), commands));
            dev.ccx.server.testing.Wait.until(10_000, "the first task to run",
                    () -> server.server().health().runningProcesses() == 1);
            proxy.drop();
            List<TaskResult> r = batch.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r).extracting(TaskResult::status)
                    .containsExactly(TaskStatus.ERROR, TaskStatus.SUCCESS, TaskStatus.SUCCESS);
            assertThat(r.getFirst().message()).contains("lost");
            assertThat(r.get(2).result().stdout()).isEqualTo("third\n");
            dev.ccx.server.testing.Wait.until(5_000, "the server to end the dropped connection's execution",
                    () -> server.server().health().runningProcesses() == 0);
        }
    }

    @Test
    void taskListStopsOnFailure() {
        TaskList list = TaskList.of(true, Command.shell("echo a"), Command.shell("exit 2"), Command.shell("echo c"));
        List<TaskResult> r = list.run(server.uri(), ClientOptions.defaults());
        assertThat(r).extracting(TaskResult::status)
                .containsExactly(TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.SKIPPED);
        assertThat(r.get(2).result()).isNull();
        assertThat(r.get(2).message()).contains("task 2 (exit 2)");
    }

    @Test
    void taskListContinuesAndRunsInOrder() throws Exception {
        Path log = Files.createTempFile("ccx-order", ".log");
        try {
            String f = log.toString();
            TaskList list = TaskList.of(false,
                    Command.shell("echo 1 >> " + f),
                    Command.shell("echo 2 >> " + f + "; exit 1"),
                    Command.shell("sleep 30").timeout(Duration.ofMillis(500)),
                    Command.shell("echo 4 >> " + f));
            try (CcxClient c = CcxClient.connect(server.uri(), ClientOptions.defaults())) {
                List<TaskResult> r = list.run(c);
                r.stream().filter(t -> t.result() != null).forEach(t -> Groups.saw(t.result().pid()));
                assertThat(r).extracting(TaskResult::status).containsExactly(TaskStatus.SUCCESS, TaskStatus.FAILED,
                        TaskStatus.TIMEOUT, TaskStatus.SUCCESS);
                assertThat(r.get(2).result().timeoutSource()).isEqualTo("explicit");
                assertThat(c.isOpen()).isTrue();
            }
            assertThat(Files.readAllLines(log)).containsExactly("1", "2", "4");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void taskListLeavesTheTimeoutToTheServer() {
        List<TaskResult> r = TaskList.of(true, Command.shell("echo predicted"))
                .run(server.uri(), ClientOptions.defaults());
        assertThat(r.getFirst().status()).isEqualTo(TaskStatus.SUCCESS);
        assertThat(r.getFirst().result().timeoutSource()).isIn("history", "similar", "default");
        assertThat(r.getFirst().result().timeoutUsed()).isPositive();
    }

    @Test
    void batchAndTaskListRideOutAServerRestart() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TestServer first = TestServer.start(b -> b.port(port));
        TestServer second = null;
        try {
            URI uri = first.uri();
            List<Command> work = List.of(Command.shell("sleep 30"), Command.shell("echo two"),
                    Command.shell("echo three"));
            java.util.concurrent.CompletableFuture<List<TaskResult>> batch = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> Batch.of(1, null).run(uri, ClientOptions.defaults(), work));
            dev.ccx.server.testing.Wait.until(10_000, "the first task to run",
                    () -> first.server().health().runningProcesses() == 1);
            first.close();
            second = TestServer.start(b -> b.port(port));
            List<TaskResult> r = batch.get(30, java.util.concurrent.TimeUnit.SECONDS);
            r.stream().filter(t -> t.result() != null).forEach(t -> Groups.saw(t.result().pid()));
            assertThat(r).extracting(TaskResult::status)
                    .containsExactly(TaskStatus.ERROR, TaskStatus.SUCCESS, TaskStatus.SUCCESS);
            assertThat(r.get(2).result().stdout()).isEqualTo("three\n");

            TestServer current = second;
            java.util.concurrent.CompletableFuture<List<TaskResult>> list = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> new TaskList(List.copyOf(work), false, null).run(uri, ClientOptions.defaults()));
            dev.ccx.server.testing.Wait.until(10_000, "the first task of the list to run",
                    () -> current.server().health().runningProcesses() == 1);
            second.close();
            second = TestServer.start(b -> b.port(port));
            List<TaskResult> l = list.get(30, java.util.concurrent.TimeUnit.SECONDS);
            l.stream().filter(t -> t.result() != null).forEach(t -> Groups.saw(t.result().pid()));
            assertThat(l).extracting(TaskResult::status)
                    .containsExactly(TaskStatus.ERROR, TaskStatus.SUCCESS, TaskStatus.SUCCESS);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void interruptingABatchCancelsWhatRunsKeepsItsOutputAndReportsEachTaskOnce() throws Exception {
        List<Command> work = List.of(Command.shell("echo partial; sleep 30"), Command.shell("echo never"),
                Command.shell("echo never either"));
        java.util.concurrent.CountDownLatch outputSeen = new java.util.concurrent.CountDownLatch(1);
        java.util.Map<Integer, Integer> finishedCalls = new java.util.concurrent.ConcurrentHashMap<>();
        TaskListener listener = new TaskListener() {
            @Override
            public void output(int index, Stream stream, String line) {
                outputSeen.countDown();
            }

            @Override
            public void finished(TaskResult result) {
                finishedCalls.merge(result.index(), 1, Integer::sum);
            }
        };
        var returned = new java.util.concurrent.CompletableFuture<List<TaskResult>>();
        Thread runner = Thread.ofVirtual().start(() -> returned.complete(
                Batch.of(1, null).run(server.uri(), ClientOptions.defaults(), work, listener)));
        assertThat(outputSeen.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        runner.interrupt();
        List<TaskResult> r = returned.get(15, java.util.concurrent.TimeUnit.SECONDS);
        Groups.saw(r.getFirst().result().pid());
        assertThat(r.getFirst().result().reason()).isEqualTo(dev.ccx.protocol.EndReason.CANCELED);
        assertThat(r.getFirst().result().stdout()).isEqualTo("partial\n");
        assertThat(r.subList(1, 3)).extracting(TaskResult::status).containsOnly(TaskStatus.ERROR);
        assertThat(r.get(1).message()).contains("interrupted");
        assertThat(finishedCalls).isEqualTo(java.util.Map.of(0, 1, 1, 1, 2, 1));
        assertThat(server.server().health().runningProcesses()).isZero();
    }
}
