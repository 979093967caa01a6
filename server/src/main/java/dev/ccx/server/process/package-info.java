// SPDX-License-Identifier: Apache-2.0
/** Operating-system processes: spawning under setsid, signalling whole groups, draining pipes into lines. */
package dev.ccx.server.process;
