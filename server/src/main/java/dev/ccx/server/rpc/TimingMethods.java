// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.rpc;

import dev.ccx.protocol.HistoryResult;
import dev.ccx.protocol.StatsResult;
import dev.ccx.protocol.TaskEstimate;
import dev.ccx.protocol.TaskRun;
import dev.ccx.server.timing.Estimate;
import dev.ccx.server.timing.RunRecord;
import dev.ccx.server.timing.TaskKey;
import dev.ccx.server.timing.TimingService;
import java.util.List;

/** The timing methods: {@code estimate}, {@code history} and {@code stats}. */
final class TimingMethods {
    private static final int DEFAULT_HISTORY = 20;
    private static final int MAX_HISTORY = 100;
    private final TimingService timing;

    TimingMethods(TimingService timing) {
        this.timing = timing;
    }

    void estimate(Call call) {
        Estimate e = timing.estimate(key(call));
        call.reply(new TaskEstimate(e.key().category(), e.key().name(), e.timeoutSeconds(), e.source(),
                e.expectedSeconds(), e.samples(), e.loadFactor()));
    }

    void history(Call call) {
        TaskKey key = key(call);
        Integer limit = new ParamReader(call.params()).positiveInt("limit");
        int n = limit == null ? DEFAULT_HISTORY : Math.min(MAX_HISTORY, limit);
        List<TaskRun> runs = timing.history(key, n).stream().map(TimingMethods::toWire).toList();
        call.reply(new HistoryResult(key.category(), key.name(), runs));
    }

    void stats(Call call) {
        String category = new ParamReader(call.params()).string("category");
        call.reply(new StatsResult(timing.storeName(), timing.degraded(), timing.stats(category)));
    }

    /** The task key named by {@code category} + {@code name}, or classified from {@code command} / {@code argv}. */
    private TaskKey key(Call call) {
        ParamReader r = new ParamReader(call.params());
        String category = r.string("category");
        String name = r.string("name");
        if (category != null || name != null) {
            if (category == null || name == null) {
                throw ParamReader.invalid("params.category and params.name go together");
            }
            try {
                return new TaskKey(category, name);
            } catch (IllegalArgumentException e) {
                throw ParamReader.invalid("params.category and params.name must match [a-z0-9_.-]");
            }
        }
        var p = ParamReader.commandOrArgv(call.params());
        return timing.classify(p.command(), p.argv());
    }

    private static TaskRun toWire(RunRecord r) {
        return new TaskRun(r.timestampMillis() / 1000.0, r.durationSeconds(), r.exitCode(), r.reason(),
                r.timeoutSeconds(), r.load1());
    }
}
