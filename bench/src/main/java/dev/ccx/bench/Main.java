// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The ccx benchmark's load generator. {@code bench/run} starts the servers and calls one subcommand per scenario;
 * each appends {@code key=value} lines to {@code --out}, and {@code report} turns the file into tables. A scenario
 * that fails records {@code KEY.error} and exits 1; the run goes on with the next one.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            usage();
            System.exit(2);
        }
        Args a = new Args(argv, 1);
        Results r = a.results();
        String key = a.str("key", argv[0]);
        try {
            switch (argv[0]) {
                case "echo-one" -> Echo.ccxOneConnection(a.uri("url"), a.str("params"), a.integer("warmup", 200),
                        a.integer("count", 1000), r, key);
                case "echo-new" -> Echo.ccxNewConnection(a.uri("url"), a.str("params"), a.integer("warmup", 200),
                        a.integer("count", 1000), r, key);
                case "echo-wsd" -> Echo.websocketdNewConnection(a.uri("url"), a.integer("warmup", 200),
                        a.integer("count", 1000), r, key);
                case "lines" -> Lines.ccx(a.uri("url"), a.str("gen"), a.integer("lines", 1_000_000),
                        a.integer("warmup", 1), a.integer("runs", 3), r, key);
                case "lines-wsd" -> Lines.websocketd(a.uri("url"), a.integer("lines", 1_000_000),
                        a.integer("warmup", 1), a.integer("runs", 3), r, key);
                case "reattach-latency" -> Reattach.latency(a.uri("url"), a.str("gen"), a.pid("pid"), a.integer("mem-lines", 1000),
                        a.integer("disk-lines", 200_000), a.integer("warmup", 300), a.integer("count", 1000),
                        logs(a), r, key);
                case "replay" -> Reattach.replay(a.uri("url"), a.str("gen"), a.pid("pid"),
                        a.integer("small-lines", 1500), a.integer("small-warmup", 30), a.integer("small-runs", 200),
                        a.integer("lines", 1_000_000), a.integer("warmup", 1), a.integer("runs", 5), logs(a), r, key);
                case "lines-pair" -> {
                    String[] urls = a.str("urls").split(",");
                    String[] pids = a.str("pids").split(",");
                    String[] labels = a.str("labels").split(",");
                    if (pids.length != urls.length || labels.length != urls.length) {
                        throw new IllegalArgumentException("--urls, --pids and --labels need as many entries");
                    }
                    java.net.URI[] u = new java.net.URI[urls.length];
                    long[] p = new long[urls.length];
                    for (int i = 0; i < urls.length; i++) {
                        u[i] = java.net.URI.create(urls[i]);
                        p[i] = Long.parseLong(pids[i]);
                    }
                    LinesPair.run(u, p, labels, a.str("gen"), a.integer("lines", 1_000_000), a.integer("warmup", 2),
                            a.integer("runs", 5), r, key);
                }
                case "scrape" -> Observe.scrape(a.uri("url"), a.integer("running", 1000), a.integer("warmup", 50),
                        a.integer("count", 500), r, key);
                case "lines-follow" -> Observe.linesFollow(a.uri("url"), a.str("gen"), a.str("browser"), a.pid("pid"),
                        a.integer("lines", 1_000_000), a.integer("warmup", 1), a.integer("runs", 5), r, key);
                case "observe-report" -> System.out.print(ObserveReport.render(Path.of(a.str("in"))));
                case "reattach-report" -> System.out.print(ReattachReport.render(Path.of(a.str("in"))));
                case "cluster-report" -> System.out.print(ClusterReport.render(Path.of(a.str("in"))));
                case "pipe" -> Pipe.run(a.str("gen"), a.integer("lines", 1_000_000), a.integer("runs", 3), r);
                case "floors" -> Floors.run(a.integer("warmup", 50), a.integer("count", 300),
                        a.integer("burst", 1000), r);
                case "client" -> ClientCeiling.run(a.integer("lines", 1_000_000), a.integer("warmup", 1),
                        a.integer("runs", 3), r);
                case "concurrent" -> Concurrent.ccx(a.uri("url"), a.integer("conns", 1000), a.str("params"),
                        a.pid("pid"), Boolean.parseBoolean(a.str("preconnect", "true")), r, key);
                case "concurrent-wsd" -> Concurrent.websocketd(a.uri("url"), a.integer("conns", 1000), a.pid("pid"),
                        r, key);
                case "soak" -> Soak.run(a.uri("url"), a.pid("pid"), a.integer("conns", 100),
                        java.time.Duration.ofSeconds(a.integer("seconds", 1200)), r, key,
                        a.str("dump", null) == null ? null : Path.of(a.str("dump")));
                case "soak-report" -> System.out.print(SoakReport.render(Path.of(a.str("in"))));
                case "report" -> System.out.print(Report.render(Path.of(a.str("in"))));
                case "jfr-top" -> JfrTop.run(Path.of(a.str("file")), a.integer("top", 25),
                        a.str("thread", null) == null ? null : Pattern.compile(a.str("thread")));
                case "free-port" -> {
                    try (ServerSocket s = new ServerSocket(0)) {
                        System.out.println(s.getLocalPort());
                    }
                }
                default -> {
                    usage();
                    System.exit(2);
                }
            }
        } catch (Exception e) {
            System.err.println(key + " FAILED: " + e);
            e.printStackTrace();
            r.put(key + ".error", e.toString());
            System.exit(1);
        }
    }

    private static Path logs(Args a) {
        String v = a.str("logs", null);
        return v == null ? null : Path.of(v);
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar ccx-bench.jar SCENARIO --name value ...
                  echo-one   --url WS --params JSON [--warmup 200 --count 1000] --key K --out FILE
                  echo-new   --url WS --params JSON [--warmup 200 --count 1000] --key K --out FILE
                  echo-wsd   --url WS [--warmup 200 --count 1000] --key K --out FILE
                  lines      --url WS --gen PATH [--lines 1000000 --warmup 1 --runs 3] --key K --out FILE
                  lines-wsd  --url WS [--lines 1000000 --warmup 1 --runs 3] --key K --out FILE
                  reattach-latency --url WS --gen PATH --pid PID [--mem-lines 1000 --disk-lines 200000 --warmup 300
                             --count 1000 --logs STATE/logs] --key K --out FILE
                  replay     --url WS --gen PATH --pid PID [--small-lines 1500 --small-warmup 30 --small-runs 200
                             --lines 1000000 --warmup 1 --runs 5 --logs STATE/logs] --key K --out FILE
                  lines-pair --urls WS,WS --pids PID,PID --labels A,B --gen PATH [--lines 1000000 --warmup 2
                             --runs 5] --key K --out FILE
                  scrape     --url WS [--running 1000 --warmup 50 --count 500] --key K --out FILE
                  lines-follow --url WS --gen PATH --browser CHROMIUM --pid PID [--lines 1000000 --warmup 1
                             --runs 5] --key K --out FILE
                  observe-report --in FILE
                  reattach-report --in FILE
                  pipe       --gen PATH [--lines 1000000 --runs 3] --out FILE
                  floors     [--warmup 50 --count 300 --burst 1000] --out FILE
                  client     [--lines 1000000 --warmup 1 --runs 3] --out FILE
                  concurrent --url WS --params JSON --pid PID [--conns 1000 --preconnect true] --key K --out FILE
                  concurrent-wsd --url WS --pid PID [--conns 1000] --key K --out FILE
                  soak       --url WS --pid PID [--conns 100 --seconds 1200] --key K --out FILE
                  soak-report --in FILE
                  report     --in FILE
                  jfr-top    --file REC.jfr [--top 25 --thread REGEX]
                  free-port""");
    }
}
