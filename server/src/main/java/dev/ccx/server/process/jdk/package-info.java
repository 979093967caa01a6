// SPDX-License-Identifier: Apache-2.0
/** The portable process engine: {@code ProcessBuilder} and util-linux {@code setsid}, a thread per pipe. */
package dev.ccx.server.process.jdk;
