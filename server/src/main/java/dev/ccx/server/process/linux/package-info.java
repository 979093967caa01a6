// SPDX-License-Identifier: Apache-2.0
/**
 * The native process engine for Linux: {@code posix_spawn} with a new session through the FFM API, pidfds for exits,
 * and one epoll thread for every pipe. See {@link dev.ccx.server.process.linux.NativeEngine}.
 */
package dev.ccx.server.process.linux;
