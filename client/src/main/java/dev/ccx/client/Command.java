// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import dev.ccx.protocol.ExecuteParams;
import dev.ccx.protocol.OnDisconnect;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: a shell command line ({@link #shell}) or a program with arguments run without a shell
 * ({@link #argv}), with optional limits, working directory and environment. Immutable; the {@code with} methods
 * ({@link #timeout(Duration)}, {@link #cwd(String)}...) return a copy.
 *
 * @param shellCommand a command line for the server's shell, or {@code null}
 * @param argv         the program and its arguments, or {@code null}; exactly one of the two is set
 * @param timeout      wall-clock deadline enforced by the server, or {@code null} to let the server predict one
 *                     from history (or run without one when prediction is off)
 * @param idleTimeout  ends the execution after this long without output, or {@code null}
 * @param cwd          working directory on the server's machine, or {@code null} for the server's own
 * @param env          variables added to the server's environment (insertion order kept), never {@code null}
 * @param keep         {@code on_disconnect: keep}: the execution outlives its connection, the client re-attaches
 *                     after a drop, and {@link CcxClient#attach} finds it from any connection with the same token
 * @param linger       how long a kept execution may run with nobody following it, or {@code null} for the
 *                     server's {@code --linger}
 * @param pipeStdin    give the process a pipe as stdin, written through {@link RunningCommand#stdin()}
 * @param streamLines  0 to collect output into the {@link CommandResult} as usual; otherwise output goes to the
 *                     listeners only, never into the result, and lines of up to this many characters reach them
 *                     whole ({@link #streamOnly}): for long-lived processes whose output is a stream of records
 * @param placement    where a cluster runs it and whether it may run twice ({@link #require}, {@link #idempotencyKey},
 *                     {@link #retryOnLoss}); {@link Placement#ANY} by default
 */
public record Command(String shellCommand, List<String> argv, Duration timeout, Duration idleTimeout, String cwd,
                      Map<String, String> env, boolean keep, Duration linger, boolean pipeStdin, int streamLines,
                      Placement placement)
        implements Task {

    /**
     * Cluster placement and run-once options (docs/cluster.md).
     *
     * @param require        labels the worker must have ({@code --label}); empty for any worker
     * @param idempotencyKey a second execute with this key (same token) within 24 h gets the first one's execution,
     *                       or {@code null}
     * @param retryOnLoss    start it again on another worker when its worker is lost (for idempotent work)
     */
    public record Placement(List<String> require, String idempotencyKey, boolean retryOnLoss) {
        /** No requirement, no key, no restart. */
        public static final Placement ANY = new Placement(List.of(), null, false);

        public Placement {
            require = List.copyOf(require);
        }
    }

    /** A command without cluster options. */
    public Command(String shellCommand, List<String> argv, Duration timeout, Duration idleTimeout, String cwd,
                   Map<String, String> env, boolean keep, Duration linger, boolean pipeStdin, int streamLines) {
        this(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, streamLines, Placement.ANY);
    }

    /** Checks the command; a bad one fails here, naming the field. */
    public Command {
        if ((shellCommand == null) == (argv == null)) {
            throw new IllegalArgumentException("exactly one of shellCommand and argv must be set");
        }
        if (shellCommand != null && shellCommand.isBlank()) {
            throw new IllegalArgumentException("shellCommand must not be blank");
        }
        if (argv != null) {
            argv = List.copyOf(argv);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("argv must name a program");
            }
        }
        positiveOrNull("timeout", timeout);
        positiveOrNull("idleTimeout", idleTimeout);
        positiveOrNull("linger", linger);
        if (linger != null && !keep) {
            throw new IllegalArgumentException("linger applies to kept executions only: use keep(linger)");
        }
        if (streamLines < 0) {
            throw new IllegalArgumentException("streamLines must not be negative, got " + streamLines);
        }
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        placement = placement == null ? Placement.ANY : placement;
        env.forEach((k, v) -> Objects.requireNonNull(v, "env value of " + k));
    }

    /** A command with the original protocol's options only. */
    public Command(String shellCommand, List<String> argv, Duration timeout, Duration idleTimeout, String cwd,
                   Map<String, String> env) {
        this(shellCommand, argv, timeout, idleTimeout, cwd, env, false, null, false, 0);
    }

    private static void positiveOrNull(String name, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** A command line run as {@code SHELL -c command} on the server. */
    public static Command shell(String command) {
        return new Command(Objects.requireNonNull(command, "command"), null, null, null, null, null);
    }

    /** A program and its arguments, run without a shell: nothing is quoted or expanded. */
    public static Command argv(String... argv) {
        return argv(Arrays.asList(argv));
    }

    /** A program and its arguments, run without a shell: nothing is quoted or expanded. */
    public static Command argv(List<String> argv) {
        return new Command(null, Objects.requireNonNull(argv, "argv"), null, null, null, null);
    }

    /** A copy with a wall-clock deadline enforced by the server ({@code null}: let the server decide). */
    public Command timeout(Duration timeout) {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, streamLines,
                placement);
    }

    /** A copy that ends after {@code idleTimeout} without output ({@code null}: no idle limit). */
    public Command idleTimeout(Duration idleTimeout) {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, streamLines,
                placement);
    }

    /** A copy run in {@code cwd}, which must exist on the server's machine. */
    public Command cwd(String cwd) {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, streamLines,
                placement);
    }

    /** A copy whose environment adds (or replaces) these variables. */
    public Command env(Map<String, String> env) {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, streamLines,
                placement);
    }

    /**
     * A copy that outlives its connection ({@code on_disconnect: keep}): it runs on when the connection drops, the
     * client attaches again from the last {@code seq} it saw, and it ends as {@code abandoned} only after
     * {@code linger} with nobody following it ({@code null}: the server's {@code --linger}).
     */
    public Command keep(Duration linger) {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, true, linger, pipeStdin, streamLines,
                placement);
    }

    /** A copy whose process gets a pipe as stdin, written through {@link RunningCommand#stdin()}. */
    public Command stdin() {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, true, streamLines,
                placement);
    }

    /**
     * A copy whose output goes to the listeners only and is not collected into the {@link CommandResult} (its
     * {@code stdout} and {@code stderr} stay empty), with lines of up to {@code maxLineChars} characters delivered
     * whole (longer ones in pieces of that size). For processes that talk in lines for hours, such as Claude Code in
     * stream-json mode, where collecting would only fill memory.
     */
    public Command streamOnly(int maxLineChars) {
        if (maxLineChars < 1) {
            throw new IllegalArgumentException("maxLineChars must be positive, got " + maxLineChars);
        }
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, maxLineChars,
                placement);
    }

    /** A copy that runs only on a cluster worker started with every one of these labels ({@code --label}). */
    public Command require(String... labels) {
        return withPlacement(new Placement(Arrays.asList(labels), placement.idempotencyKey(),
                placement.retryOnLoss()));
    }

    /**
     * A copy that runs once per key: a second execute with the same key (and token) within 24 h follows the first
     * one's execution instead of starting another.
     */
    public Command idempotencyKey(String key) {
        return withPlacement(new Placement(placement.require(), key, placement.retryOnLoss()));
    }

    /** A copy that a cluster starts again on another worker if its worker is lost (for idempotent work only). */
    public Command retryOnLoss() {
        return withPlacement(new Placement(placement.require(), placement.idempotencyKey(), true));
    }

    private Command withPlacement(Placement p) {
        return new Command(shellCommand, argv, timeout, idleTimeout, cwd, env, keep, linger, pipeStdin, streamLines,
                p);
    }

    /** Runs the command to its end; see {@link Task#run}. */
    @Override
    public TaskResult run(CcxClient client, int index, Duration defaultTimeout, TaskListener listener) {
        return Tasks.run(client, index, this, defaultTimeout, listener);
    }

    /** The command as text for messages: the shell line, or argv joined by spaces. */
    @Override
    public String describe() {
        return shellCommand != null ? shellCommand : String.join(" ", argv);
    }

    /**
     * The params that name this command to the timing methods ({@code estimate}, {@code history}): {@code command}
     * or {@code argv}, nothing else.
     */
    public Map<String, Object> keyParams() {
        return shellCommand != null ? Map.of("command", shellCommand) : Map.of("argv", argv);
    }

    /** The {@code execute} params for this command. */
    ExecuteParams toParams() {
        return new ExecuteParams(shellCommand, argv, seconds(timeout), seconds(idleTimeout), cwd,
                env.isEmpty() ? null : env, keep ? OnDisconnect.KEEP : null, seconds(linger), pipeStdin ? true : null,
                placement.require().isEmpty() ? null : placement.require(), placement.idempotencyKey(),
                placement.retryOnLoss() ? true : null);
    }

    static Double seconds(Duration d) {
        return d == null ? null : d.toNanos() / 1e9;
    }
}
