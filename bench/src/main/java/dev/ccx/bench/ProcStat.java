// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code /proc} tells about a server process: its CPU time and the bytes it had written to storage. */
final class ProcStat {
    /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on Linux). */
    static final double HZ = 100.0;

    private ProcStat() {
    }

    /** User and system time of the whole process, in ticks; 0 when {@code pid} is not given. */
    static long cpuTicks(long pid) throws IOException {
        if (pid <= 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
    }

    /**
     * User and system time of the process and of its children it has reaped (for a ccx server: the commands it ran),
     * in ticks; 0 when {@code pid} is not given or gone.
     */
    static long cpuTicksWithChildren(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Where the machine's CPU went over a scenario: the servers (with the commands they ran), this load generator,
     * and everything else (other people's builds and tests on a shared machine), as shares of all CPUs.
     */
    static final class Load {
        private final long[] pids;
        private final long[] machine0;
        private final long servers0;
        private final long client0;

        private Load(long... pids) throws IOException {
            this.pids = pids;
            this.machine0 = machine();
            this.servers0 = servers();
            this.client0 = client();
        }

        static Load start(long... pids) throws IOException {
            return new Load(pids);
        }

        /** The share of both CPUs that went to neither the servers nor this load generator since the start, %. */
        double othersPct() throws IOException {
            long[] m1 = machine();
            double total = m1[0] - machine0[0];
            if (total <= 0) {
                return 0;
            }
            double busy = total - (m1[1] - machine0[1]);
            return Math.max(0, 100 * (busy - (servers() - servers0) - (client() - client0) / 1e7) / total);
        }

        /** Writes {@code key.cpu_machine_pct}, {@code .cpu_servers_pct}, {@code .cpu_client_pct}, {@code .cpu_others_pct}. */
        void record(Results r, String key) throws IOException {
            long[] m1 = machine();
            double total = m1[0] - machine0[0];
            if (total <= 0) {
                return;
            }
            double busy = total - (m1[1] - machine0[1]);
            double servers = servers() - servers0;
            double client = (client() - client0) / 1e7; // ns to ticks
            r.put(key + ".cpu_machine_pct", 100 * busy / total);
            r.put(key + ".cpu_servers_pct", 100 * servers / total);
            r.put(key + ".cpu_client_pct", 100 * client / total);
            r.put(key + ".cpu_others_pct", Math.max(0, 100 * (busy - servers - client) / total));
        }

        private long servers() {
            long sum = 0;
            for (long p : pids) {
                sum += cpuTicksWithChildren(p);
            }
            return sum;
        }

        private static long client() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /** All ticks of all CPUs, and the idle and iowait ones, from the first line of {@code /proc/stat}. */
        private static long[] machine() throws IOException {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        }
    }

    /**
     * Bytes the machine's disks have written (to the device, not to the page cache): field 7 of
     * {@code /sys/block/DEV/stat}, in 512-byte sectors, summed over the block devices but loop, ram and zram ones.
     */
    static long diskWrittenBytes() {
        long sectors = 0;
        try (var devs = Files.newDirectoryStream(Path.of("/sys/block"))) {
            for (Path d : devs) {
                String name = d.getFileName().toString();
                if (name.startsWith("loop") || name.startsWith("ram") || name.startsWith("zram")) {
                    continue;
                }
                String[] f = Files.readString(d.resolve("stat")).trim().split("\\s+");
                sectors += Long.parseLong(f[6]);
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return sectors * 512;
    }

    /** {@code Dirty} of {@code /proc/meminfo}: page cache waiting to be written back, bytes. */
    static long dirtyBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("Dirty:")) {
                    return 1024 * Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** {@code write_bytes} of {@code /proc/PID/io}: bytes the process caused to be written to storage. */
    static long writeBytes(long pid) throws IOException {
        if (pid <= 0) {
            return 0;
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        return 0;
    }
}
