// SPDX-License-Identifier: Apache-2.0
/**
 * Timing intelligence: which kind of task a command is ({@link dev.ccx.server.timing.TaskClassifier}), how long
 * such tasks took ({@link dev.ccx.server.timing.TimingStore}: Redis, or the embedded store, with automatic
 * fallback), and what timeout that suggests ({@link dev.ccx.server.timing.Estimator}). Nothing here may fail or
 * stall an execution: every store call is bounded, and a store that misbehaves is replaced at once.
 */
package dev.ccx.server.timing;
