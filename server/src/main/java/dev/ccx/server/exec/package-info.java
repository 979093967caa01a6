// SPDX-License-Identifier: Apache-2.0
/**
 * Executions: what may run (policy, limits), the life of one execution from spawn to its single
 * {@code process.completed}, and the timers that end it.
 */
package dev.ccx.server.exec;
