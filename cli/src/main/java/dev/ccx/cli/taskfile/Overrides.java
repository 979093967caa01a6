// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.client.claude.ClaudeCommand;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * What a task file sets for one task on top of the reader's defaults; {@code null} means "not set". Markdown and
 * plain text set nothing ({@link #NONE}).
 *
 * @param timeout     the task's deadline
 * @param idleTimeout the task's idle limit
 * @param cwd         the working directory as written in the file (relative to the file's directory)
 * @param env         variables to add, already merged in file order (file level, then task); never {@code null}
 * @param schema      the JSON schema a prompt's answer must match
 * @param claude      changes to the template's Claude command (prompt tasks only); never {@code null}
 */
record Overrides(Duration timeout, Duration idleTimeout, String cwd, Map<String, String> env, JsonNode schema,
                 UnaryOperator<ClaudeCommand> claude) {

    /** Nothing set: the task runs with the reader's defaults. */
    static final Overrides NONE = new Overrides(null, null, null, Map.of(), null, UnaryOperator.identity());
}
