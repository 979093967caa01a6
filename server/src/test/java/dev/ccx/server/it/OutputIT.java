// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.Wire;
import dev.ccx.server.ServerConfig;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.SharedServer;
import dev.ccx.server.testing.TestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Output streaming end to end: a real server, a real WebSocket client, real processes. Every wait is bounded by
 * {@link TestClient#drain}; large outputs are folded as they arrive instead of being kept.
 */
@ExtendWith(Groups.class)
class OutputIT {
    private static final int CHUNK = Wire.CHUNK_CHARS;
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    // ---- helpers -------------------------------------------------------------------------------------------

    /** The params of one {@code process.output}. */
    record Out(String type, String data, boolean truncated, Integer chunkIndex, Integer totalChunks, long seq) {
        static Out of(JsonNode m) {
            JsonNode p = m.get("params");
            return new Out(p.get("type").stringValue(), p.get("data").stringValue(), p.get("truncated").booleanValue(),
                    intOrNull(p.get("chunk_index")), intOrNull(p.get("total_chunks")), p.get("seq").longValue());
        }

        @Override
        public String toString() {
            String d = data.length() <= 40 ? data : data.substring(0, 37) + "...";
            return "Out[" + type + " '" + d.replace("\n", "\\n") + "' (" + data.length() + " chars) truncated="
                    + truncated + " index=" + chunkIndex + " total=" + totalChunks + " seq=" + seq + "]";
        }
    }

    private static Integer intOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.intValue();
    }

    private static String method(JsonNode m) {
        JsonNode v = m.get("method");
        return v == null ? null : v.stringValue();
    }

    private static boolean isOutput(JsonNode m) {
        return "process.output".equals(method(m));
    }

    /** Runs a command and returns every {@code process.output} (as {@link Out}) and the completion. */
    private record Result(List<Out> outputs, List<JsonNode> all, JsonNode completed) {
        List<Out> of(String type) {
            return outputs.stream().filter(o -> o.type().equals(type)).toList();
        }

        String text(String type) {
            StringBuilder sb = new StringBuilder();
            of(type).forEach(o -> sb.append(o.data()));
            return sb.toString();
        }

        long lines(String field) {
            return completed.get(field).longValue();
        }
    }

    private static Result run(TestClient c, String command, long waitMillis) {
        TestClient.Started s = c.execute(ExecuteParams.shell(command));
        List<Out> outputs = new ArrayList<>();
        List<JsonNode> all = new ArrayList<>();
        JsonNode completed = c.drain(s.id(), waitMillis, m -> {
            all.add(m);
            if (isOutput(m)) {
                outputs.add(Out.of(m));
            }
        });
        return new Result(outputs, all, completed);
    }

    private static void assertExitedCleanly(JsonNode completed) {
        assertThat(completed.get("reason").stringValue()).as("reason in %s", completed).isEqualTo("exit");
        assertThat(completed.get("exit_code").intValue()).as("exit code in %s", completed).isZero();
        assertThat(completed.get("status").stringValue()).isEqualTo("completed");
    }

    /** The lines {@code seq FROM TO} prints, each with its newline. */
    private static List<String> seqLines(String prefix, int from, int to) {
        List<String> lines = new ArrayList<>(to - from + 1);
        for (int i = from; i <= to; i++) {
            lines.add(prefix + i + "\n");
        }
        return lines;
    }

    /** {@code printf "%099d\n", i}: 99 zero-padded digits and a newline, 100 bytes. */
    private static String paddedLine(int i, char[] scratch) {
        java.util.Arrays.fill(scratch, 0, 99, '0');
        scratch[99] = '\n';
        int pos = 98;
        for (int v = i; v > 0; v /= 10) {
            scratch[pos--] = (char) ('0' + v % 10);
        }
        return new String(scratch);
    }

    // ---- tests ---------------------------------------------------------------------------------------------

    @Test
    void outputOver64KiBIsDeliveredWholeAndInOrder() {
        try (TestClient c = server.connect()) {
            Result r = run(c, "seq 1 100000", 60_000);
            List<String> expected = seqLines("", 1, 100_000);
            assertThat(expected.stream().mapToInt(String::length).sum()).isGreaterThan(64 * 1024);

            assertExitedCleanly(r.completed());
            assertThat(r.of("stderr")).isEmpty();
            // One message per line, in order, nothing lost, nothing duplicated.
            assertThat(r.of("stdout")).extracting(Out::data).containsExactlyElementsOf(expected);
            assertThat(r.of("stdout")).allSatisfy(o -> {
                assertThat(o.truncated()).isFalse();
                assertThat(o.chunkIndex()).isNull();
                assertThat(o.totalChunks()).isNull();
            });
            assertThat(r.lines("stdout_lines")).isEqualTo(100_000);
            assertThat(r.lines("stderr_lines")).isZero();
        }
    }

    @Test
    void outputOver100MBIsDeliveredWholeAndInOrder() {
        final int lines = 1_000_000;
        char[] scratch = new char[100];
        CRC32 expectedCrc = new CRC32();
        for (int i = 0; i < lines; i++) {
            expectedCrc.update(paddedLine(i, scratch).getBytes(UTF_8));
        }

        try (TestClient c = server.connect()) {
            long t0 = System.nanoTime();
            TestClient.Started s = c.execute(ExecuteParams.shell(
                    "awk 'BEGIN{for(i=0;i<" + lines + ";i++) printf \"%099d\\n\", i}'"));
            var fold = new Object() {
                final char[] buf = new char[100];
                final CRC32 crc = new CRC32();
                long count;
                long bytes;
                long lastSeq;
                long seqGaps;
                long badLines;
                long stderrMessages;
                long otherMessages;
                String firstProblem;

                void problem(String what) {
                    if (firstProblem == null) {
                        firstProblem = what;
                    }
                }
            };
            JsonNode completed = c.drain(s.id(), 120_000, m -> {
                JsonNode p = m.get("params");
                long seq = p.get("seq").longValue();
                if (seq != fold.lastSeq + 1) {
                    fold.seqGaps++;
                    fold.problem("seq " + seq + " after " + fold.lastSeq);
                }
                fold.lastSeq = seq;
                if (!isOutput(m)) {
                    if (!"process.started".equals(method(m)) && !"process.completed".equals(method(m))) {
                        fold.otherMessages++;
                        fold.problem("unexpected " + m);
                    }
                    return;
                }
                if (!"stdout".equals(p.get("type").stringValue())) {
                    fold.stderrMessages++;
                    fold.problem("stderr output " + p);
                    return;
                }
                String data = p.get("data").stringValue();
                byte[] b = data.getBytes(UTF_8);
                fold.crc.update(b);
                fold.bytes += b.length;
                String want = paddedLine((int) Math.min(fold.count, Integer.MAX_VALUE), fold.buf);
                if (!want.equals(data) || p.get("truncated").booleanValue() || !p.get("chunk_index").isNull()
                        || !p.get("total_chunks").isNull()) {
                    fold.badLines++;
                    fold.problem("line " + fold.count + ": " + p);
                }
                fold.count++;
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.err.printf("OutputIT: %d lines, %d bytes in %.2f s%n", fold.count, fold.bytes, seconds);

            assertThat(fold.firstProblem).as("first problem").isNull();
            assertThat(fold.count).as("stdout messages").isEqualTo(lines);
            assertThat(fold.bytes).as("bytes received").isEqualTo(100L * lines);
            assertThat(fold.badLines).as("lines with wrong content or framing").isZero();
            assertThat(fold.seqGaps).as("seq gaps").isZero();
            assertThat(fold.stderrMessages).isZero();
            assertThat(fold.otherMessages).isZero();
            assertThat(fold.crc.getValue()).as("CRC32 of everything received").isEqualTo(expectedCrc.getValue());
            assertExitedCleanly(completed);
            assertThat(completed.get("stdout_lines").longValue()).isEqualTo(lines);
            assertThat(completed.get("stderr_lines").longValue()).isZero();
            assertThat(completed.get("seq").longValue()).isEqualTo(lines + 2L);
        }
    }

    @Test
    void tenMiBLineAboveMaxLineIsStreamedInNumberedChunksWithoutTotal() {
        int length = 10 * 1024 * 1024;
        assertThat(length).as("the line exceeds the default max_line")
                .isGreaterThan(ServerConfig.DEFAULT_MAX_LINE_BYTES);
        try (TestClient c = server.connect()) {
            TestClient.Started s = c.execute(ExecuteParams.shell(
                    "head -c " + length + " /dev/zero | tr '\\0' a; echo"));
            StringBuilder line = new StringBuilder(length + 1);
            List<Out> meta = new ArrayList<>();
            List<Out> afterLine = new ArrayList<>();
            boolean[] lineDone = {false};
            JsonNode completed = c.drain(s.id(), 60_000, m -> {
                if (!isOutput(m)) {
                    return;
                }
                Out o = Out.of(m);
                if (lineDone[0]) {
                    afterLine.add(o);
                    return;
                }
                line.append(o.data());
                // Keep the framing, not the text.
                meta.add(new Out(o.type(), "", o.truncated(), o.chunkIndex(), o.totalChunks(), o.seq()));
                assertThat(o.data().length()).as("chunk %s", o).isLessThanOrEqualTo(CHUNK);
                if (!o.truncated()) {
                    lineDone[0] = true;
                }
            });

            assertExitedCleanly(completed);
            assertThat(lineDone[0]).as("a message with truncated:false ended the line").isTrue();
            assertThat(afterLine).as("nothing after the line").isEmpty();
            assertThat(line.length()).isEqualTo(length + 1);
            assertThat(line.toString()).isEqualTo("a".repeat(length) + "\n");
            int n = meta.size();
            assertThat(n).as("chunks").isGreaterThanOrEqualTo((length + 1 + CHUNK - 1) / CHUNK);
            assertThat(meta).extracting(Out::type).containsOnly("stdout");
            assertThat(meta).extracting(Out::chunkIndex).as("chunk_index runs 0..n-1")
                    .containsExactlyElementsOf(range(n));
            assertThat(meta).extracting(Out::totalChunks).as("total_chunks of a line over max_line")
                    .containsOnlyNulls();
            assertThat(meta.subList(0, n - 1)).extracting(Out::truncated).containsOnly(true);
            assertThat(completed.get("stdout_lines").longValue()).as("a split line counts once").isEqualTo(1);
        }
    }

    @Test
    void oneMiBLineBelowMaxLineIsChunkedWithKnownTotal() {
        int length = 1024 * 1024;
        assertThat(length).as("the line fits the default max_line")
                .isLessThan(ServerConfig.DEFAULT_MAX_LINE_BYTES);
        try (TestClient c = server.connect()) {
            Result r = run(c, "head -c " + length + " /dev/zero | tr '\\0' b; echo; echo after", 60_000);

            assertExitedCleanly(r.completed());
            List<Out> out = r.of("stdout");
            int n = (length + 1 + CHUNK - 1) / CHUNK; // ceil(len / 65536), the newline included: 17
            assertThat(n).isEqualTo(17);
            assertThat(out).hasSize(n + 1);
            List<Out> chunks = out.subList(0, n);
            StringBuilder line = new StringBuilder();
            chunks.forEach(o -> line.append(o.data()));
            assertThat(line.toString()).isEqualTo("b".repeat(length) + "\n");
            assertThat(chunks).extracting(Out::chunkIndex).containsExactlyElementsOf(range(n));
            assertThat(chunks).extracting(Out::totalChunks).containsOnly(n);
            assertThat(chunks.subList(0, n - 1)).extracting(Out::truncated).containsOnly(true);
            assertThat(chunks.getLast().truncated()).isFalse();
            assertThat(chunks).allSatisfy(o -> assertThat(o.data().length()).isLessThanOrEqualTo(CHUNK));
            // The next line is an ordinary one-message line again.
            Out after = out.getLast();
            assertThat(after.data()).isEqualTo("after\n");
            assertThat(after.truncated()).isFalse();
            assertThat(after.chunkIndex()).isNull();
            assertThat(after.totalChunks()).isNull();
            assertThat(r.lines("stdout_lines")).isEqualTo(2);
        }
    }

    @Test
    void lastLineWithoutNewlineIsDelivered() {
        try (TestClient c = server.connect()) {
            Result r = run(c, "printf 'a\\nb'", 20_000);
            assertExitedCleanly(r.completed());
            assertThat(r.of("stdout")).extracting(Out::data).containsExactly("a\n", "b");
            assertThat(r.of("stdout")).extracting(Out::truncated).containsExactly(false, false);
            assertThat(r.lines("stdout_lines")).isEqualTo(2);
        }
    }

    @Test
    void lastLineWithoutNewlineIsDeliveredOnStderrToo() {
        try (TestClient c = server.connect()) {
            Result r = run(c, "printf 'x\\ny' >&2", 20_000);
            assertExitedCleanly(r.completed());
            assertThat(r.of("stderr")).extracting(Out::data).containsExactly("x\n", "y");
            assertThat(r.lines("stderr_lines")).isEqualTo(2);
        }
    }

    @Test
    void invalidUtf8ArrivesAsReplacementCharactersAndTheStreamContinues() {
        try (TestClient c = server.connect()) {
            // Octal escapes: bytes 0xFF 0xFE, valid in every printf (dash's has no \x).
            Result r = run(c, "printf 'ok \\377\\376 end\\n'; printf 'caf\\303\\251\\n'; echo after", 20_000);
            assertExitedCleanly(r.completed());
            assertThat(r.of("stdout")).extracting(Out::data)
                    .containsExactly("ok \uFFFD\uFFFD end\n", "caf\u00e9\n", "after\n");
            assertThat(r.lines("stdout_lines")).isEqualTo(3);
        }
    }

    @Test
    void stderrIsKeptApartFromStdout() {
        try (TestClient c = server.connect()) {
            Result r = run(c, "for i in $(seq 1 2000); do echo out$i; echo err$i >&2; done", 60_000);
            assertExitedCleanly(r.completed());
            assertThat(r.of("stdout")).extracting(Out::data).containsExactlyElementsOf(seqLines("out", 1, 2000));
            assertThat(r.of("stderr")).extracting(Out::data).containsExactlyElementsOf(seqLines("err", 1, 2000));
            assertThat(r.outputs()).extracting(Out::type).containsOnly("stdout", "stderr");
            assertThat(r.outputs()).allSatisfy(o -> assertThat(o.truncated()).isFalse());
            assertThat(r.lines("stdout_lines")).isEqualTo(2000);
            assertThat(r.lines("stderr_lines")).isEqualTo(2000);
        }
    }

    @Test
    void seqOfEveryNotificationRisesByOneFromStartedToCompleted() {
        try (TestClient c = server.connect()) {
            String first = c.execute(ExecuteParams.shell(
                    "seq 1 300; seq 1 300 >&2; head -c 200000 /dev/zero | tr '\\0' x; echo; printf tail")).id();
            List<JsonNode> all = new ArrayList<>();
            c.drain(first, 60_000, all::add);

            assertThat(method(all.getFirst())).isEqualTo("process.started");
            assertThat(method(all.getLast())).isEqualTo("process.completed");
            assertThat(all.subList(1, all.size() - 1)).extracting(OutputIT::method).containsOnly("process.output");
            List<Long> seqs = all.stream().map(m -> m.get("params").get("seq").longValue()).toList();
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= all.size(); i++) {
                expected.add(i);
            }
            assertThat(seqs).containsExactlyElementsOf(expected);
            // 300 + 300 lines, 4 chunks of the 200,001-char line, "tail", started and completed.
            assertThat(all).hasSize(300 + 300 + 4 + 1 + 2);

            // Nothing about the first execution follows its process.completed: run another one on the same
            // connection and look at everything that arrives until it completes.
            String second = c.execute(ExecuteParams.shell("echo second")).id();
            List<JsonNode> later = new ArrayList<>();
            while (true) {
                JsonNode m = c.take(x -> true, 20_000);
                later.add(m);
                JsonNode p = m.get("params");
                if ("process.completed".equals(method(m)) && p != null
                        && second.equals(p.get("execution_id").stringValue())) {
                    break;
                }
            }
            assertThat(later).noneMatch(m -> m.has("params") && m.get("params").has("execution_id")
                    && first.equals(m.get("params").get("execution_id").stringValue()));
        }
    }

    @Test
    void lotsOfStderrWhileStdoutIsQuietDoesNotDeadlock() {
        try (TestClient c = server.connect()) {
            // About 1.3 MB on stderr, far beyond a 64 KiB pipe buffer, while stdout stays open and silent until
            // the end: a server reading stdout first would leave the child blocked on a full stderr pipe.
            Result r = run(c, "seq 1 200000 >&2; echo done", 60_000);
            assertExitedCleanly(r.completed());
            List<String> expected = seqLines("", 1, 200_000);
            assertThat(expected.stream().mapToInt(String::length).sum()).isGreaterThan(1_000_000);
            assertThat(r.of("stderr")).extracting(Out::data).containsExactlyElementsOf(expected);
            assertThat(r.of("stdout")).extracting(Out::data).containsExactly("done\n");
            assertThat(r.lines("stderr_lines")).isEqualTo(200_000);
            assertThat(r.lines("stdout_lines")).isEqualTo(1);
        }
    }

    @Test
    void oneMegabyteOfStderrAsOneLineWhileStdoutIsQuietDoesNotDeadlock() {
        int length = 1_000_000;
        try (TestClient c = server.connect()) {
            Result r = run(c, "head -c " + length + " /dev/zero | tr '\\0' e >&2; echo >&2; echo done", 60_000);
            assertExitedCleanly(r.completed());
            assertThat(r.text("stderr")).isEqualTo("e".repeat(length) + "\n");
            assertThat(r.text("stdout")).isEqualTo("done\n");
            assertThat(r.lines("stderr_lines")).isEqualTo(1);
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }
}
