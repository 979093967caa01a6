// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

/**
 * Follows the tasks of a {@link Batch} or {@link TaskList} as they run, for progress displays and logs.
 *
 * <p><b>Threads.</b> {@link #started} and {@link #finished} run on the thread running the task (the caller's for a
 * task list, one virtual thread per slot for a batch); {@link #output} runs on the execution's callback thread, in
 * order per execution. In a batch several tasks report at once, so an implementation must be thread-safe. An
 * exception thrown here is not caught by the task runner of {@code started}/{@code finished}: keep them simple.
 * Every method does nothing by default.
 */
public interface TaskListener {
    /** A listener that ignores everything. */
    TaskListener NONE = new TaskListener() {
    };

    /** Task {@code index} has started an execution (again, for a retried Claude run). */
    default void started(int index, Task task, RunningCommand execution) {
    }

    /** One output line of task {@code index}, as {@link OutputListener#line} describes. */
    default void output(int index, Stream stream, String line) {
    }

    /** Task {@code result.index()} has ended, or was skipped; called exactly once per task. */
    default void finished(TaskResult result) {
    }
}
