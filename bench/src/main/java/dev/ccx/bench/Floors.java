// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What this machine charges for the things every scenario does regardless of the server: creating processes and
 * faulting in fresh memory. (a) and (c) cannot beat these floors.
 */
final class Floors {
    private static final File DEV_NULL = new File("/dev/null");

    private Floors() {
    }

    static void run(int warmup, int count, int burst, Results r) throws IOException, InterruptedException {
        pageFaults(r);
        spawnJvm(List.of("/usr/bin/setsid", "echo", "hi"), warmup, count, r, "floor.spawn.jvm.setsid_echo");
        spawnJvm(List.of("echo", "hi"), warmup, count, r, "floor.spawn.jvm.echo");
        shellLoop("/usr/bin/setsid /bin/echo hi", count, r, "floor.spawn.bash.setsid_echo");
        shellLoop("/bin/echo hi", count, r, "floor.spawn.bash.echo");
        burst("bash -c 'sleep 1; echo done'", burst, r, "floor.burst.bash");
        burst("/usr/bin/setsid bash -c 'sleep 1; echo done'", burst, r, "floor.burst.setsid_bash");
    }

    /** Microseconds per 4 KiB page to fault in and zero fresh memory (a 256 MiB direct buffer), median of 3. */
    private static void pageFaults(Results r) {
        double[] us = new double[3];
        int size = 256 << 20;
        for (int i = 0; i < us.length; i++) {
            long t0 = System.nanoTime();
            ByteBuffer b = ByteBuffer.allocateDirect(size);
            long t = System.nanoTime() - t0;
            us[i] = t / 1e3 / (size / 4096.0);
            b.put(0, (byte) 1);
        }
        double median = Stats.median(us);
        System.err.printf("page fault + zeroing: %.2f us per 4 KiB page%n", median);
        r.put("floor.page_fault_us", median);
    }

    /**
     * The JVM's own spawn path, as ccx uses it: ProcessBuilder, stdin from /dev/null, both pipes read to end of file,
     * waitFor. One after the other.
     */
    private static void spawnJvm(List<String> argv, int warmup, int count, Results r, String key)
            throws IOException, InterruptedException {
        long[] t = new long[count];
        for (int i = 0; i < warmup + count; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.getErrorStream().readAllBytes();
            if (p.waitFor() != 0 || out.length != 3) {
                throw new BenchFailure(argv + " failed");
            }
            if (i >= warmup) {
                t[i - warmup] = System.nanoTime() - t0;
            }
        }
        Stats s = Stats.of(t);
        System.err.println(key + ": " + s);
        s.record(r, key);
    }

    /** Mean milliseconds per iteration of {@code CMD > /dev/null} in a bash loop. */
    private static void shellLoop(String command, int count, Results r, String key)
            throws IOException, InterruptedException {
        String script = "for ((i = 0; i < " + count + "; i++)); do " + command + " > /dev/null; done";
        double seconds = bash(script);
        System.err.printf("%s: %.3f ms per iteration%n", key, seconds * 1e3 / count);
        r.put(key + ".mean_ms", seconds * 1e3 / count);
    }

    /** Seconds for bash to start {@code n} copies of {@code command} in the background and wait for all. */
    private static void burst(String command, int n, Results r, String key) throws IOException, InterruptedException {
        String script = "for ((i = 0; i < " + n + "; i++)); do " + command + " > /dev/null & done; wait";
        double seconds = bash(script);
        System.err.printf("%s: %d at once, %.3f s%n", key, n, seconds);
        r.put(key + ".n", n);
        r.put(key + ".wall_s", seconds);
    }

    private static double bash(String script) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", script).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (p.waitFor() != 0) {
            throw new BenchFailure("bash -c " + script + " failed");
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
