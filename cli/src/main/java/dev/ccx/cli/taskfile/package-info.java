// SPDX-License-Identifier: Apache-2.0
/**
 * Task files for {@code ccx batch FILE} and {@code ccx tasks FILE}: JSON or Markdown/plain text read into client
 * {@link dev.ccx.client.Task}s, each with the line it starts on. The formats are specified in
 * {@code docs/task-files.md}; {@link dev.ccx.cli.taskfile.TaskFileReader} is the entry point.
 */
package dev.ccx.cli.taskfile;
