// SPDX-License-Identifier: Apache-2.0
/** The operating system as ccx sees it: libc through the FFM API, and {@code /proc}. */
package dev.ccx.server.os;
