// SPDX-License-Identifier: Apache-2.0

/** The families ccx exposes, with their label values, handed to whichever library is measured. */
final class Shape {
    interface Sink {
        void counter(String name, String[] labels, String[][] values, double v);

        void histogram(String name, String label, String[] values, double[] bounds, double v);

        void gauge(String name, double v);
    }

    private static final String[] KINDS = {"claude", "command"};
    private static final String[] REASONS = {"exit", "timeout", "idle_timeout", "canceled", "disconnect", "abandoned",
        "shutdown", "error"};

    static void register(Sink s) {
        s.counter("ccx_executions_started", new String[] {"kind"}, rows(KINDS), 10);
        String[][] finished = new String[REASONS.length * KINDS.length][];
        int i = 0;
        for (String r : REASONS) {
            for (String k : KINDS) {
                finished[i++] = new String[] {r, k};
            }
        }
        s.counter("ccx_executions_finished", new String[] {"reason", "kind"}, finished, 3);
        s.histogram("ccx_execution_duration_seconds", "kind", KINDS, new double[] {0.1, 0.5, 1, 2.5, 5, 10, 30, 60,
            120, 300, 600, 1800, 3600, 7200, 21600, 86400}, 12);
        s.histogram("ccx_spawn_latency_seconds", null, new String[] {null}, new double[] {0.0005, 0.001, 0.0025,
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}, 0.002);
        s.counter("ccx_output_bytes", new String[] {"stream"}, rows(new String[] {"stdout", "stderr"}), 1e6);
        s.counter("ccx_output_lines", new String[] {"stream"}, rows(new String[] {"stdout", "stderr"}), 1e4);
        s.counter("ccx_limit_refusals", new String[] {"limit"}, rows(new String[] {"max_processes",
            "max_processes_per_session", "max_sessions"}), 1);
        s.counter("ccx_signals_sent", new String[] {"signal"}, rows(new String[] {"TERM", "KILL", "STOP", "CONT"}), 2);
        s.counter("ccx_claude_tokens", new String[] {"model", "type"}, new String[][] {
            {"claude-sonnet-4-5", "input"}, {"claude-sonnet-4-5", "output"}, {"claude-sonnet-4-5", "cache_read"},
            {"claude-sonnet-4-5", "cache_creation"}}, 1000);
        for (String c : new String[] {"ccx_leftover_groups_ended", "ccx_timing_store_fallbacks", "ccx_claude_cost_usd",
            "ccx_claude_turns", "ccx_claude_rate_limit_retries", "ccx_audit_dropped"}) {
            s.counter(c, new String[0], new String[][] {{}}, 1);
        }
        for (String g : new String[] {"ccx_executions_running", "ccx_max_processes", "ccx_sessions", "ccx_max_sessions",
            "ccx_followers", "ccx_log_memory_bytes", "ccx_log_disk_bytes", "ccx_timing_store_degraded"}) {
            s.gauge(g, 7);
        }
    }

    private static String[][] rows(String[] values) {
        String[][] out = new String[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = new String[] {values[i]};
        }
        return out;
    }
}
