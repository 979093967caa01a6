// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.observe;

import dev.ccx.server.process.Signal;
import dev.ccx.server.process.StdStream;
import java.util.List;
import java.util.Objects;

/** Several observers as one. */
record Fanout(List<ServerObserver> observers) implements ServerObserver {
    @Override
    public void executionStarted(String kind, long spawnNanos) {
        observers.forEach(o -> o.executionStarted(kind, spawnNanos));
    }

    @Override
    public void output(StdStream stream, int bytes, int lines) {
        for (ServerObserver o : observers) {
            o.output(stream, bytes, lines);
        }
    }

    @Override
    public void signalSent(Signal signal) {
        observers.forEach(o -> o.signalSent(signal));
    }

    @Override
    public void executionFinished(ExecutionSummary execution) {
        observers.forEach(o -> o.executionFinished(execution));
    }

    @Override
    public void refused(Refusal refusal) {
        observers.forEach(o -> o.refused(refusal));
    }

    @Override
    public void leftoversEnded(int groups) {
        observers.forEach(o -> o.leftoversEnded(groups));
    }

    @Override
    public LineSink claudeStdout() {
        List<LineSink> sinks = observers.stream().map(ServerObserver::claudeStdout).filter(Objects::nonNull).toList();
        return switch (sinks.size()) {
            case 0 -> null;
            case 1 -> sinks.getFirst();
            default -> (bytes, offset, length, endsLine) -> sinks.forEach(s -> s.line(bytes, offset, length,
                    endsLine));
        };
    }
}
