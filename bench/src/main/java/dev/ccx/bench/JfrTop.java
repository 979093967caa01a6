// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of the server: where the CPU samples fall (by thread group, by top frame, by method
 * anywhere on the stack), GC, and CPU load. {@code jfr-top FILE [--top N] [--thread REGEX]}.
 */
final class JfrTop {
    private static final Pattern IDS = Pattern.compile("[0-9a-f]{12}|\\d+");

    private JfrTop() {
    }

    static void run(Path file, int top, Pattern threadFilter) throws IOException {
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> nativeSelf = new HashMap<>();
        Map<String, Long> nativeThreads = new HashMap<>();
        long samples = 0;
        long nativeSamples = 0;
        long gcs = 0;
        double gcPauseMs = 0;
        double cpuUser = 0;
        double cpuSystem = 0;
        double machine = 0;
        int cpuEvents = 0;
        long allocBytes = 0;
        long pinned = 0;
        double pinnedMs = 0;
        Map<String, Long> pinnedWhere = new HashMap<>();
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String type = e.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> {
                        RecordedThread t = e.getThread("sampledThread");
                        String thread = t == null ? "?" : group(t.getJavaName());
                        if (threadFilter != null && !threadFilter.matcher(thread).find()) {
                            continue;
                        }
                        RecordedStackTrace st = e.getStackTrace();
                        List<RecordedFrame> frames = st == null ? List.of() : st.getFrames();
                        String topFrame = frames.isEmpty() ? "?" : name(frames.getFirst());
                        if (type.equals("jdk.ExecutionSample")) {
                            samples++;
                            byThread.merge(thread, 1L, Long::sum);
                            self.merge(topFrame, 1L, Long::sum);
                            Set<String> seen = new HashSet<>();
                            for (RecordedFrame f : frames) {
                                String n = name(f);
                                if (seen.add(n)) {
                                    inclusive.merge(n, 1L, Long::sum);
                                }
                            }
                        } else {
                            nativeSamples++;
                            nativeThreads.merge(thread, 1L, Long::sum);
                            nativeSelf.merge(topFrame, 1L, Long::sum);
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        gcs++;
                        gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                    }
                    case "jdk.CPULoad" -> {
                        cpuUser += e.getFloat("jvmUser");
                        cpuSystem += e.getFloat("jvmSystem");
                        machine += e.getFloat("machineTotal");
                        cpuEvents++;
                    }
                    case "jdk.ObjectAllocationSample" -> allocBytes += e.getLong("weight");
                    case "jdk.VirtualThreadPinned" -> {
                        pinned++;
                        pinnedMs += e.getDuration().toNanos() / 1e6;
                        RecordedStackTrace st = e.getStackTrace();
                        String where = "?";
                        if (st != null) {
                            for (RecordedFrame f : st.getFrames()) {
                                String n = name(f);
                                if (!n.startsWith("VirtualThread.") && !n.startsWith("Continuation.")) {
                                    where = n;
                                    break;
                                }
                            }
                        }
                        pinnedWhere.merge(where, 1L, Long::sum);
                    }
                    default -> { }
                }
            }
        }
        System.out.println("# " + file);
        System.out.printf("CPU samples (jdk.ExecutionSample): %d; native samples: %d%n", samples, nativeSamples);
        if (cpuEvents > 0) {
            System.out.printf("CPU load (mean of %d jdk.CPULoad, 1.0 = all cores): JVM user %.2f, JVM system %.2f, "
                    + "machine %.2f%n", cpuEvents, cpuUser / cpuEvents, cpuSystem / cpuEvents, machine / cpuEvents);
        }
        System.out.printf("GC: %d collections, %.1f ms total pause; sampled allocation ~%.0f MB%n", gcs, gcPauseMs,
                allocBytes / 1e6);
        if (pinned > 0) {
            System.out.printf("Virtual threads pinned to their carrier (jdk.VirtualThreadPinned, over the "
                    + "recording's threshold): %d times, %.0f ms in total%n", pinned, pinnedMs);
            print("Pinned at", pinnedWhere, pinned, top);
        }
        print("CPU samples by thread", byThread, samples, top);
        print("CPU samples by top frame (self)", self, samples, top);
        print("CPU samples by method anywhere on the stack (inclusive)", inclusive, samples, top);
        print("Native samples by thread", nativeThreads, nativeSamples, top);
        print("Native samples by top frame", nativeSelf, nativeSamples, top);
    }

    private static String group(String threadName) {
        return threadName == null ? "?" : IDS.matcher(threadName).replaceAll("#");
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        String t = m.getType().getName();
        return t.substring(t.lastIndexOf('.') + 1) + "." + m.getName();
    }

    private static void print(String title, Map<String, Long> counts, long total, int top) {
        if (total == 0) {
            return;
        }
        System.out.println();
        System.out.println(title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf("  %5.1f%%  %7d  %s%n", 100.0 * en.getValue() / total,
                        en.getValue(), en.getKey()));
    }
}
