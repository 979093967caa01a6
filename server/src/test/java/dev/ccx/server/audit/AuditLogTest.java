// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.EndReason;
import dev.ccx.server.observe.ExecutionSummary;
import dev.ccx.server.observe.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    private static ExecutionSummary summary(int i) {
        return new ExecutionSummary("id" + i, "session", "anonymous", "127.0.0.1:1", "command", null,
                List.of("echo", "x".repeat(100)), "/tmp", 100 + i, EndReason.EXIT, 0, 0.01, 101, 0, 0, 10);
    }

    /**
     * The file is a FIFO whose reader stops reading: the writer thread blocks in write(2), as on a stalled disk.
     * Reporting executions still returns at once; what does not fit the queue is dropped and counted; once the
     * reader reads again, close() writes everything that was queued.
     */
    @Test
    void aStalledDiskNeverHoldsUpTheThreadsThatReport(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("audit.log");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();
        CompletableFuture<InputStream> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newInputStream(fifo); // blocks until the writer opens the FIFO
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        AuditLog audit = new AuditLog(fifo, 1L << 40, 1); // never rotated: rotation would rename the FIFO
        try (InputStream in = reader.get(10, TimeUnit.SECONDS)) {
            int reports = AuditLog.QUEUE + 20_000;
            long start = System.nanoTime();
            // Bounded: reporting that blocked on the stuck writer would hang here; it fails instead.
            CompletableFuture.runAsync(() -> {
                for (int i = 0; i < reports; i++) {
                    audit.executionFinished(summary(i));
                }
            }).get(30, TimeUnit.SECONDS);
            double perReportMicros = (System.nanoTime() - start) / 1e3 / reports;
            // Nobody reads the FIFO: its 64 KiB fill at once and the writer is stuck, so the queue overflows.
            assertThat(audit.dropped()).isPositive();
            assertThat(perReportMicros).as("µs per report with the writer stuck").isLessThan(500);
            long queued = reports - audit.dropped();
            CompletableFuture<Long> lines = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(in.readAllBytes()).lines().count();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            audit.close();
            assertThat(lines.get(30, TimeUnit.SECONDS)).isEqualTo(queued);
        } finally {
            audit.close();
        }
    }

    @Test
    void linesAreJsonWithLongStringsClipped() {
        String line = AuditLines.refusal(new Refusal("execute", "max_processes", true, -32004, "full", "s",
                "127.0.0.1:2", Map.of("command", "y".repeat(AuditLines.MAX_STRING + 10))), 0);
        assertThat(line).startsWith("{\"time\":\"1970-01-01T00:00:00Z\",\"event\":\"refused\"")
                .contains("\u2026 (10 more characters)").doesNotContain("y".repeat(AuditLines.MAX_STRING + 1));
    }
}
