// SPDX-License-Identifier: Apache-2.0
/** Where threads come from: {@link dev.ccx.server.concurrent.Threads}, the server's only thread factory. */
package dev.ccx.server.concurrent;
