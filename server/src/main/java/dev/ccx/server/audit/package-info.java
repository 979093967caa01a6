// SPDX-License-Identifier: Apache-2.0
/**
 * The audit log ({@code --audit-log FILE}): {@link dev.ccx.server.audit.AuditLog} writes one JSON line per ended
 * execution and per refused request or connection ({@link dev.ccx.server.audit.AuditLines} builds them), through a
 * bounded queue and one writer thread into Logback's rolling file appender. The threads that run executions only
 * offer a line to the queue, so a slow or full disk never holds one up.
 */
package dev.ccx.server.audit;
