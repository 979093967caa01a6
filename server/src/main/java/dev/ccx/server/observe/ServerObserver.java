// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.observe;

import dev.ccx.server.process.Signal;
import dev.ccx.server.process.StdStream;
import java.util.List;

/**
 * Listens to what the server does. Called on the threads doing the work (the engine's reader threads for output,
 * the timer, request threads), so every method returns at once: it counts, or hands the event to a queue, and
 * never waits for a disk, a lock held across I/O, or a network.
 */
public interface ServerObserver {
    /** Observes nothing. */
    ServerObserver NONE = new ServerObserver() {
    };

    /**
     * A process was spawned.
     *
     * @param kind       {@code claude} or {@code command}
     * @param spawnNanos how long the spawn took
     */
    default void executionStarted(String kind, long spawnNanos) {
    }

    /** Output was read from a process: {@code bytes} bytes that completed {@code lines} lines. */
    default void output(StdStream stream, int bytes, int lines) {
    }

    /** A signal was delivered to a process group. */
    default void signalSent(Signal signal) {
    }

    /** An execution ended; its {@code process.completed} is in its log. */
    default void executionFinished(ExecutionSummary execution) {
    }

    /** A request or a connection was turned away. */
    default void refused(Refusal refusal) {
    }

    /** Process groups left by a previous server were ended at start-up. */
    default void leftoversEnded(int groups) {
    }

    /**
     * A sink for the stdout lines of one Claude Code execution, or {@code null} when nobody reads them. Called once
     * per such execution; the sink is fed by that stream's reader thread only.
     */
    default LineSink claudeStdout() {
        return null;
    }

    /** Tells every one of {@code observers}, in order. */
    static ServerObserver all(ServerObserver... observers) {
        return new Fanout(List.of(observers));
    }
}
