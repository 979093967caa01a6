// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link ClaudeSession} runs its Claude Code process and talks to it. Immutable; build with
 * {@link #builder()}.
 *
 * @param command           the CLI's options (model, permission mode, tools, {@code --resume}...); its prompt must be
 *                          {@code null} ({@link ClaudeCommand#session()}), since prompts go on stdin
 * @param cwd               the process's working directory on the server's machine, or {@code null}
 * @param env               variables added to the server's environment
 * @param permissions       decides {@code can_use_tool} requests, or {@code null} to let the CLI decide alone from
 *                          its options (without a callback it never asks)
 * @param listener          sees every event, or {@code null}
 * @param linger            how long the process lives on with no client following it (the client died, or lost
 *                          its connection for good) before the server ends it (default 10 minutes)
 * @param maxLifetime       the execution's deadline: the process is ended after this long whatever happens
 *                          (default 24 hours; the server would otherwise predict a deadline for a plain command)
 * @param controlTimeout    how long a control request to the CLI ({@code initialize}, {@code interrupt},
 *                          {@code set_model}...) may take, and how long {@link ClaudeSession#close()} waits for an
 *                          interrupted turn (default 60 s, as the Agent SDK)
 * @param permissionTimeout how long a {@link PermissionCallback} may take before the request is denied (default
 *                          10 minutes: a person may be asked)
 * @param closeTimeout      how long the process may take to exit after its stdin is closed before it is ended
 *                          (SIGTERM, then SIGKILL after the server's grace) (default 10 s)
 * @param autoResume        when the process has ended, {@link ClaudeSession#send} first starts a new one with
 *                          {@code --resume} (default off: the caller calls {@link ClaudeSession#resume()})
 * @param maxLineChars      the longest stdout line taken whole (default 256 Mi characters); the CLI writes one
 *                          JSON object per line, and a tool result or a pasted file can make lines of many MiB
 */
public record ClaudeSessionOptions(ClaudeCommand command, String cwd, Map<String, String> env,
                                   PermissionCallback permissions, SessionListener listener, Duration linger,
                                   Duration maxLifetime, Duration controlTimeout, Duration permissionTimeout,
                                   Duration closeTimeout, boolean autoResume, int maxLineChars) {

    /** Checks every field, naming the one that is wrong. */
    public ClaudeSessionOptions {
        Objects.requireNonNull(command, "command");
        if (command.prompt() != null) {
            throw new IllegalArgumentException("a session's command has no prompt (prompts go on stdin): use"
                    + " ClaudeCommand.session()");
        }
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        positive("linger", linger);
        positive("maxLifetime", maxLifetime);
        positive("controlTimeout", controlTimeout);
        positive("permissionTimeout", permissionTimeout);
        positive("closeTimeout", closeTimeout);
        if (maxLineChars < 1024) {
            throw new IllegalArgumentException("maxLineChars must be at least 1024, got " + maxLineChars);
        }
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** The defaults, with {@code command} as the CLI's options. */
    public static Builder builder(ClaudeCommand command) {
        return new Builder(command);
    }

    /** The defaults: {@code claude} with its own options. */
    public static Builder builder() {
        return new Builder(ClaudeCommand.session());
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder(command);
        b.cwd = cwd;
        b.env = env;
        b.permissions = permissions;
        b.listener = listener;
        b.linger = linger;
        b.maxLifetime = maxLifetime;
        b.controlTimeout = controlTimeout;
        b.permissionTimeout = permissionTimeout;
        b.closeTimeout = closeTimeout;
        b.autoResume = autoResume;
        b.maxLineChars = maxLineChars;
        return b;
    }

    /** Builds {@link ClaudeSessionOptions}; see the record's fields for each value. */
    public static final class Builder {
        private ClaudeCommand command;
        private String cwd;
        private Map<String, String> env = Map.of();
        private PermissionCallback permissions;
        private SessionListener listener;
        private Duration linger = Duration.ofMinutes(10);
        private Duration maxLifetime = Duration.ofHours(24);
        private Duration controlTimeout = Duration.ofSeconds(60);
        private Duration permissionTimeout = Duration.ofMinutes(10);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private boolean autoResume;
        private int maxLineChars = 256 * 1024 * 1024;

        private Builder(ClaudeCommand command) {
            this.command = command;
        }

        public Builder command(ClaudeCommand v) {
            command = v;
            return this;
        }

        public Builder cwd(String v) {
            cwd = v;
            return this;
        }

        public Builder env(Map<String, String> v) {
            env = v;
            return this;
        }

        public Builder permissions(PermissionCallback v) {
            permissions = v;
            return this;
        }

        public Builder listener(SessionListener v) {
            listener = v;
            return this;
        }

        public Builder linger(Duration v) {
            linger = v;
            return this;
        }

        public Builder maxLifetime(Duration v) {
            maxLifetime = v;
            return this;
        }

        public Builder controlTimeout(Duration v) {
            controlTimeout = v;
            return this;
        }

        public Builder permissionTimeout(Duration v) {
            permissionTimeout = v;
            return this;
        }

        public Builder closeTimeout(Duration v) {
            closeTimeout = v;
            return this;
        }

        public Builder autoResume(boolean v) {
            autoResume = v;
            return this;
        }

        public Builder maxLineChars(int v) {
            maxLineChars = v;
            return this;
        }

        public ClaudeSessionOptions build() {
            return new ClaudeSessionOptions(command, cwd, env, permissions, listener, linger, maxLifetime,
                    controlTimeout, permissionTimeout, closeTimeout, autoResume, maxLineChars);
        }
    }
}
