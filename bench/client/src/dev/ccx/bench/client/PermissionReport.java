// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The tables of {@link ClaudePermissionBench}: the {@code can_use_tool} round trip as the CLI sees it, through ccx
 * and direct, what ccx adds, where the time goes through ccx, and whole turns as a cross-check.
 *
 * @param setup  where the numbers go
 * @param warmup the warm-up turns, at the start of each relay log
 * @param turns  the timed turns, per session
 */
record PermissionReport(Setup setup, int warmup, int turns) {

    String report(ClaudePermissionBench.Relayed ccxRelayed, ClaudePermissionBench.Relayed directRelayed,
                  Map<String, Long> seen, Map<String, Long> decided, long[][] turnWall, Idle.Load worst, String argv) {
        int skip = warmup * ClaudePermissionBench.WRITES;
        int expected = turns * ClaudePermissionBench.WRITES;
        List<String[]> ccxTrips = ccxRelayed.trips();
        List<String[]> directTrips = directRelayed.trips();
        BenchFailure.check(ccxRelayed.turns().length == warmup + turns
                        && directRelayed.turns().length == warmup + turns,
                "the relays timed " + ccxRelayed.turns().length + " (ccx) and " + directRelayed.turns().length
                        + " (direct) turns, expected " + (warmup + turns) + " each");
        BenchFailure.check(ccxTrips.size() == skip + expected && directTrips.size() == skip + expected,
                "the relays timed " + ccxTrips.size() + " (ccx) and " + directTrips.size() + " (direct) round trips, "
                        + "expected " + (skip + expected) + " each");
        long[] ccx = new long[expected];
        long[] down = new long[expected];
        long[] client = new long[expected];
        long[] up = new long[expected];
        long[] direct = new long[expected];
        for (int i = 0; i < expected; i++) {
            String[] c = ccxTrips.get(skip + i);
            long out = Long.parseLong(c[1]);
            long in = Long.parseLong(c[2]);
            Long s = seen.get(c[0]);
            Long d = decided.get(c[0]);
            BenchFailure.check(s != null && d != null && out <= s && s <= d && d <= in,
                    "request " + c[0] + ": relay out " + out + ", seen " + s + ", decided " + d + ", relay in " + in);
            ccx[i] = in - out;
            down[i] = s - out;
            client[i] = d - s;
            up[i] = in - d;
            String[] r = directTrips.get(skip + i);
            direct[i] = Long.parseLong(r[2]) - Long.parseLong(r[1]);
        }
        setup.put("claude_session.permission", worst);
        Table rtt = new Table("`can_use_tool` round trip, as the CLI sees it", ">n", ">p50 ms", ">p90 ms", ">p99 ms",
                ">max ms", ">min ms");
        rtt.row("through ccx: `ClaudeSession`, callback allows at once", expected, ms(ccx, 50), ms(ccx, 90),
                ms(ccx, 99), ms(ccx, 100), ms(ccx, 0));
        rtt.row("direct: the CLI's pipes, answered in place", expected, ms(direct, 50), ms(direct, 90),
                ms(direct, 99), ms(direct, 100), ms(direct, 0));
        // The difference of two maxima (or minima) says little: one stray sample on either side decides it.
        rtt.row("**what ccx adds** (difference of the percentiles)", "", diff(ccx, direct, 50), diff(ccx, direct, 90),
                diff(ccx, direct, 99), "", "");
        put("ccx", ccx);
        put("direct", direct);
        for (int p : new int[] {50, 90, 99}) {
            setup.put("claude_session.permission.added.p" + p + "_ms", Stats.pctMs(ccx, p) - Stats.pctMs(direct, p));
        }
        Table split = new Table("Through ccx, where the round trip goes", ">p50 ms", ">p90 ms", ">p99 ms", ">max ms");
        split.row("down: CLI's line → ccx server → WebSocket → `ClaudeSession` listener", ms(down, 50), ms(down, 90),
                ms(down, 99), ms(down, 100));
        split.row("client: listener → the callback runs (its own virtual thread)", ms(client, 50), ms(client, 90),
                ms(client, 99), ms(client, 100));
        split.row("back: answer → stdin writer → WebSocket → ccx server → CLI's stdin", ms(up, 50), ms(up, 90),
                ms(up, 99), ms(up, 100));
        put("ccx.down", down);
        put("ccx.client", client);
        put("ccx.up", up);
        long[] ccxAtCli = Arrays.copyOfRange(ccxRelayed.turns(), warmup, warmup + turns);
        long[] directAtCli = Arrays.copyOfRange(directRelayed.turns(), warmup, warmup + turns);
        double perTrip = (Stats.pctMs(turnWall[0], 50) - Stats.pctMs(turnWall[1], 50)) / ClaudePermissionBench.WRITES;
        Table whole = new Table("A whole turn: " + ClaudePermissionBench.WRITES + " asked Writes, then the answer",
                ">n", ">p50 ms", ">p90 ms", ">max ms", ">at the CLI: p50 ms", ">p90 ms", ">max ms");
        whole.row("through ccx", turns, Table.ms(Stats.pctMs(turnWall[0], 50)), Table.ms(Stats.pctMs(turnWall[0], 90)),
                Table.ms(Stats.pctMs(turnWall[0], 100)), Table.ms(Stats.pctMs(ccxAtCli, 50)),
                Table.ms(Stats.pctMs(ccxAtCli, 90)), Table.ms(Stats.pctMs(ccxAtCli, 100)));
        whole.row("direct", turns, Table.ms(Stats.pctMs(turnWall[1], 50)), Table.ms(Stats.pctMs(turnWall[1], 90)),
                Table.ms(Stats.pctMs(turnWall[1], 100)), Table.ms(Stats.pctMs(directAtCli, 50)),
                Table.ms(Stats.pctMs(directAtCli, 90)), Table.ms(Stats.pctMs(directAtCli, 100)));
        setup.put("claude_session.permission.turn.ccx", Stats.of(turnWall[0]));
        setup.put("claude_session.permission.turn.direct", Stats.of(turnWall[1]));
        setup.put("claude_session.permission.turn_at_cli.ccx", Stats.of(ccxAtCli));
        setup.put("claude_session.permission.turn_at_cli.direct", Stats.of(directAtCli));
        setup.put("claude_session.permission.turn.p50_diff_per_round_trip_ms", perTrip);
        return "### 5. Claude Code live sessions: what ccx adds to a `can_use_tool` round trip\n\n"
                + expected + " round trips per session (" + turns + " turns of " + ClaudePermissionBench.WRITES
                + " asked Writes) after " + skip + " warm-up ones; the two sessions take turns (ABBA); every file and "
                + "answer checked; CPUs at least " + worst.idlePct() + "% idle before every round"
                + (worst.quiet() ? "" : " — **busy**") + " (load average " + worst.loadAvg() + " at the worst).\n\n"
                + rtt.markdown() + "\n" + split.markdown() + "\n" + whole.markdown()
                + String.format("%nWhole turns (from `send` to the result at the driver; at the CLI: from the user "
                        + "message entering it to the result leaving it), ccx − direct at p50, per round trip: "
                        + "%+.2f ms.%n%n", perTrip)
                + "* both: `" + argv + "`, where relay.sh runs the CLI behind `StdioRelay`, which times each round "
                + "trip from the request line leaving the CLI to the answer line reaching it\n";
    }

    private void put(String key, long[] nanos) {
        for (int p : new int[] {50, 90, 99, 100}) {
            setup.put("claude_session.permission." + key + (p == 100 ? ".max_ms" : ".p" + p + "_ms"),
                    Stats.pctMs(nanos, p));
        }
    }

    private static String ms(long[] nanos, double p) {
        return String.format("%.2f", Stats.pctMs(nanos, p));
    }

    private static String diff(long[] a, long[] b, double p) {
        return String.format("%+.2f", Stats.pctMs(a, p) - Stats.pctMs(b, p));
    }
}
