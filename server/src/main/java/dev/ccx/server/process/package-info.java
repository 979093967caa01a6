// SPDX-License-Identifier: Apache-2.0
/**
 * Operating-system processes: the {@link dev.ccx.server.process.ProcessEngine} that starts each command in its own
 * session and reports its output and exit (native in {@code linux}, portable in {@code jdk}), signalling whole
 * groups, splitting output into lines, and the ledger of running groups.
 */
package dev.ccx.server.process;
