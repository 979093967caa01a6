// SPDX-License-Identifier: Apache-2.0
/**
 * The ccx client library: connect to a ccx server, run commands, batches and task lists, and follow their output.
 * Depends only on the protocol module and the JDK.
 */
package dev.ccx.client;
