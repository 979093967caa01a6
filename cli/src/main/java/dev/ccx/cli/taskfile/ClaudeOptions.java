// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.taskfile;

import dev.ccx.client.claude.ClaudeCommand;
import dev.ccx.client.claude.ClaudeCommand.PermissionMode;
import java.util.ArrayList;
import java.util.Optional;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The Claude Code options a JSON task file may set, in the file's {@code "claude"} object and on a prompt task: one
 * reader for both, so the two places accept exactly the same keys and values.
 */
final class ClaudeOptions {
    /** The option keys, in the order the docs list them. */
    static final List<String> KEYS = List.of("executable", "model", "allowed_tools", "disallowed_tools",
            "permission_mode", "max_turns", "mcp_config", "append_system_prompt", "include_partial_messages",
            "extra_args");

    private ClaudeOptions() {
    }

    /**
     * The options present in {@code fields} as one change to a {@link ClaudeCommand}; keys that are absent leave
     * the command's value alone, and a list given replaces the command's list.
     *
     * @throws TaskFileException when an option has the wrong type or value
     */
    static UnaryOperator<ClaudeCommand> read(JsonFields fields) throws TaskFileException {
        List<UnaryOperator<ClaudeCommand>> changes = new ArrayList<>();
        String executable = fields.string("executable");
        if (executable != null) {
            changes.add(c -> c.executable(executable));
        }
        String model = fields.string("model");
        if (model != null) {
            changes.add(c -> c.model(model));
        }
        List<String> allowed = fields.strings("allowed_tools", false, true);
        if (allowed != null) {
            changes.add(c -> c.allowedTools(allowed));
        }
        List<String> disallowed = fields.strings("disallowed_tools", false, true);
        if (disallowed != null) {
            changes.add(c -> c.disallowedTools(disallowed));
        }
        PermissionMode mode = permissionMode(fields);
        if (mode != null) {
            changes.add(c -> c.permissionMode(mode));
        }
        Integer maxTurns = fields.positiveInt("max_turns");
        if (maxTurns != null) {
            changes.add(c -> c.maxTurns(maxTurns));
        }
        String mcpConfig = fields.string("mcp_config");
        if (mcpConfig != null) {
            changes.add(c -> c.mcpConfig(mcpConfig));
        }
        String append = fields.string("append_system_prompt");
        if (append != null) {
            changes.add(c -> c.appendSystemPrompt(append));
        }
        Boolean partial = fields.bool("include_partial_messages");
        if (partial != null) {
            changes.add(c -> c.includePartialMessages(partial));
        }
        List<String> extra = fields.strings("extra_args", false, false);
        if (extra != null) {
            changes.add(c -> c.extraArgs(extra));
        }
        return c -> {
            for (UnaryOperator<ClaudeCommand> change : changes) {
                c = change.apply(c);
            }
            return c;
        };
    }

    private static PermissionMode permissionMode(JsonFields fields) throws TaskFileException {
        String key = "permission_mode";
        LocatedJson v = fields.get(key);
        if (v == null) {
            return null;
        }
        if (v.node().isString()) {
            Optional<PermissionMode> mode = PermissionMode.ofCli(v.node().stringValue());
            if (mode.isPresent()) {
                return mode.get();
            }
        }
        throw fields.error(v, JsonFields.quote(key) + " must be one of " + PermissionMode.spellings() + ", got "
                + JsonFields.shown(v.node()));
    }
}
