// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Scenario (d): the generator's own speed, the ceiling for (b). */
final class Pipe {
    private Pipe() {
    }

    static void run(String gen, int lines, int runs, Results r) throws IOException, InterruptedException {
        double[] devnull = new double[runs];
        double[] wc = new double[runs];
        double[] jvm = new double[runs];
        for (int i = 0; i < runs + 1; i++) { // the first round warms up the page cache and the JIT
            double a = shell(gen, lines, "exec \"$0\" \"$1\" > /dev/null", null);
            double b = shell(gen, lines, "\"$0\" \"$1\" | wc -l", Integer.toString(lines));
            double c = jvmReader(gen, lines);
            System.err.printf("pipe round %d%s: >/dev/null %.0f lines/s, | wc -l %.0f lines/s, JVM reader %.0f "
                    + "lines/s%n", i, i == 0 ? " (warmup)" : "", lines / a, lines / b, lines / c);
            if (i > 0) {
                devnull[i - 1] = lines / a;
                wc[i - 1] = lines / b;
                jvm[i - 1] = lines / c;
            }
        }
        r.put("pipe.lines", lines);
        r.put("pipe.devnull.lines_per_s", Stats.median(devnull));
        r.put("pipe.wc.lines_per_s", Stats.median(wc));
        r.put("pipe.jvm.lines_per_s", Stats.median(jvm));
    }

    /** Wall time in seconds of {@code bash -c script gen lines}; checks stdout if {@code expect} is given. */
    private static double shell(String gen, int lines, String script, String expect)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, gen, Integer.toString(lines))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        int exit = p.waitFor();
        long t = System.nanoTime() - t0;
        if (exit != 0) {
            throw new BenchFailure(script + " exited " + exit);
        }
        if (expect != null && !new String(out, StandardCharsets.US_ASCII).strip().equals(expect)) {
            throw new BenchFailure(script + " printed " + new String(out, StandardCharsets.US_ASCII).strip()
                    + ", expected " + expect);
        }
        return t / 1e9;
    }

    /**
     * The generator read by this JVM through a pipe (the path ccx's output pump takes), 64 KiB reads, every line
     * checked. Seconds.
     */
    private static double jvmReader(String gen, int lines) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(gen, Integer.toString(lines)).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        LineVerifier v = new LineVerifier();
        byte[] buf = new byte[65_536];
        byte[] line = new byte[256];
        int lineLen = 0;
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        if (lineLen == 0) {
                            v.plainLine(buf, start, i - start);
                        } else {
                            int take = i - start;
                            if (lineLen + take > line.length) {
                                throw new BenchFailure("line too long in the generator output");
                            }
                            System.arraycopy(buf, start, line, lineLen, take);
                            v.plainLine(line, 0, lineLen + take);
                            lineLen = 0;
                        }
                        start = i + 1;
                    }
                }
                int rest = n - start;
                if (rest > 0) {
                    if (lineLen + rest > line.length) {
                        throw new BenchFailure("line too long in the generator output");
                    }
                    System.arraycopy(buf, start, line, lineLen, rest);
                    lineLen += rest;
                }
            }
        }
        int exit = p.waitFor();
        long t = System.nanoTime() - t0;
        if (exit != 0 || v.count() != lines) {
            throw new BenchFailure("generator exited " + exit + " after " + v.count() + " of " + lines + " lines");
        }
        return t / 1e9;
    }
}
