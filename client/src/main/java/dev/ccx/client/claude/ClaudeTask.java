// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.CcxClient;
import dev.ccx.client.Command;
import dev.ccx.client.CommandResult;
import dev.ccx.client.RunningCommand;
import dev.ccx.client.Stream;
import dev.ccx.client.Task;
import dev.ccx.client.TaskListener;
import dev.ccx.client.TaskResult;
import dev.ccx.client.TaskStatus;
import dev.ccx.protocol.EndReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;

/**
 * One Claude Code run on a ccx server: the {@link ClaudeCommand} is executed as argv (never through a shell), its
 * stream-json stdout parsed live, and its end turned into a {@link TaskResult} whose {@link TaskResult#claude()} holds
 * the structured {@link ClaudeResult}. Usable alone ({@link #run(CcxClient)}) or as a task of a
 * {@link dev.ccx.client.Batch} or {@link dev.ccx.client.TaskList}.
 *
 * <p><b>Outcome.</b> {@link TaskStatus#SUCCESS} only when the process exited with 0, a {@code result} line said
 * success, and, with a {@link #schema()}, the JSON answer matched it. A run that exited with 0 but reported an
 * error, gave no result, or answered off-schema is {@link TaskStatus#FAILED} with a message saying which. A timeout
 * or cancel keeps what Claude wrote so far: {@link ClaudeResult#partial()} is set and its text is kept.
 *
 * <p><b>Retries.</b> A run that failed on a rate limit, an overload or a usage limit (seen in the stream-json events,
 * including the CLI's own {@code api_retry} reports, or on stderr) is run again as {@link #retry()} decides:
 * exponential back-off with full jitter, waiting for a usage-limit reset when it fits in the budget. Every other
 * failure, and any timeout, is final. The wait between runs is a plain sleep on the calling thread; interrupting it
 * returns the last result.
 *
 * <p>Immutable and thread-safe; the {@code with}-style methods return copies.
 *
 * @param command     the {@code claude} command line
 * @param schema      a JSON schema the answer must match (the prompt is then wrapped by {@link PromptWrapper}), or
 *                    {@code null} for a plain text answer
 * @param timeout     deadline per run, or {@code null} for the batch's or list's, else the server's prediction
 * @param idleTimeout ends a run after this long without output, or {@code null}
 * @param cwd         working directory on the server's machine, or {@code null} for the server's
 * @param env         variables added to the run's environment ({@code ANTHROPIC_API_KEY}, {@code HOME}, ...)
 * @param retry       when to run again after a limit; {@link RetryPolicy#DEFAULT} by default
 */
public record ClaudeTask(ClaudeCommand command, JsonNode schema, Duration timeout, Duration idleTimeout, String cwd,
                         Map<String, String> env, RetryPolicy retry) implements Task {

    /** Checks the task; {@code env} is copied. */
    public ClaudeTask {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(retry, "retry");
        if (command.prompt() == null) {
            throw new IllegalArgumentException("a ClaudeTask runs one prompt; a command without one is for a"
                    + " ClaudeSession");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        schema = schema == null ? null : schema.deepCopy(); // JSON trees are mutable; the record is not
        // Builds a Command once so that a bad timeout or cwd fails here, not when the task runs.
        toCommand(command, schema, timeout, idleTimeout, cwd, env);
    }

    /** A run of {@code claude -p prompt} with the defaults: text answer, server-predicted deadline, default retries. */
    public static ClaudeTask of(String prompt) {
        return new ClaudeTask(ClaudeCommand.of(prompt), null, null, null, null, Map.of(), RetryPolicy.DEFAULT);
    }

    /** A run of {@code command}. */
    public static ClaudeTask of(ClaudeCommand command) {
        return new ClaudeTask(command, null, null, null, null, Map.of(), RetryPolicy.DEFAULT);
    }

    /** A copy running {@code claudeCommand}. */
    public ClaudeTask command(ClaudeCommand claudeCommand) {
        return new ClaudeTask(claudeCommand, schema, timeout, idleTimeout, cwd, env, retry);
    }

    /** A copy whose answer must be JSON matching {@code jsonSchema} ({@code null}: a text answer). */
    public ClaudeTask schema(JsonNode jsonSchema) {
        return new ClaudeTask(command, jsonSchema, timeout, idleTimeout, cwd, env, retry);
    }

    /** A copy with a deadline per run. */
    public ClaudeTask timeout(Duration perRun) {
        return new ClaudeTask(command, schema, perRun, idleTimeout, cwd, env, retry);
    }

    /** A copy ending a run after {@code idle} without output. */
    public ClaudeTask idleTimeout(Duration idle) {
        return new ClaudeTask(command, schema, timeout, idle, cwd, env, retry);
    }

    /** A copy run in {@code directory} on the server's machine. */
    public ClaudeTask cwd(String directory) {
        return new ClaudeTask(command, schema, timeout, idleTimeout, directory, env, retry);
    }

    /** A copy whose runs get these environment variables. */
    public ClaudeTask env(Map<String, String> variables) {
        return new ClaudeTask(command, schema, timeout, idleTimeout, cwd, variables, retry);
    }

    /** A copy with another retry policy ({@code new RetryPolicy(1, ...)} never retries). */
    public ClaudeTask retry(RetryPolicy policy) {
        return new ClaudeTask(command, schema, timeout, idleTimeout, cwd, env, policy);
    }

    /** The command one run executes: the argv, with the prompt wrapped when a schema is set. */
    public Command toCommand() {
        return toCommand(command, schema, timeout, idleTimeout, cwd, env);
    }

    private static Command toCommand(ClaudeCommand command, JsonNode schema, Duration timeout, Duration idleTimeout,
                                     String cwd, Map<String, String> env) {
        ClaudeCommand c = schema == null ? command : command.prompt(PromptWrapper.wrap(command.prompt(), schema));
        return Command.argv(c.argv()).timeout(timeout).idleTimeout(idleTimeout).cwd(cwd).env(env);
    }

    @Override
    public String describe() {
        return "claude: " + Task.oneLine(command.prompt(), 60);
    }

    /** Runs the task alone on {@code client}: {@link #run(CcxClient, int, Duration, TaskListener)} as task 0. */
    public TaskResult run(CcxClient client) {
        return run(client, 0, null, TaskListener.NONE);
    }

    @Override
    public TaskResult run(CcxClient client, int index, Duration defaultTimeout, TaskListener listener) {
        Command c = toCommand();
        if (c.timeout() == null && defaultTimeout != null) {
            c = c.timeout(defaultTimeout);
        }
        long t0 = System.nanoTime();
        Run previous = null;
        for (int attempt = 1; ; attempt++) {
            Run run = runOnce(client, index, c, attempt, listener);
            if (previous != null && run.outcome.attempts() < attempt) {
                // The retry could not even start (connection closed, server refusing): the last run is the news.
                return previous.outcome.withStatus(previous.outcome.status(), previous.outcome.message()
                        + "; the retry could not start: " + run.outcome.message());
            }
            if (run.outcome.succeeded() || run.limit == null) {
                return run.outcome;
            }
            if (!client.isOpen()) {
                return run.outcome.withStatus(run.outcome.status(), run.outcome.message()
                        + "; not retried: the connection to the server is closed");
            }
            previous = run;
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            RetryPolicy.Decision d = retry.decide(attempt, elapsed, run.limit, Instant.now(),
                    ThreadLocalRandom.current());
            if (!d.retry()) {
                return run.outcome.withStatus(run.outcome.status(), run.outcome.message() + "; " + d.reason());
            }
            if (listener instanceof ClaudeListener cl) {
                cl.retrying(index, attempt, d.delay(), d.reason());
            }
            try {
                Thread.sleep(d.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return run.outcome.withStatus(run.outcome.status(), run.outcome.message()
                        + "; interrupted while waiting to retry");
            }
        }
    }

    /** One run: its outcome, and the limit it hit when only a limit made it fail (then worth retrying). */
    private record Run(TaskResult outcome, RateLimits.Limit limit) {
    }

    private Run runOnce(CcxClient client, int index, Command c, int attempt, TaskListener listener) {
        StreamJsonParser parser = new StreamJsonParser();
        AtomicReference<RateLimits.Limit> stderrLimit = new AtomicReference<>();
        AtomicReference<RateLimits.Limit> cliRetry = new AtomicReference<>();
        ClaudeListener cl = listener instanceof ClaudeListener l ? l : null;
        RunningCommand rc;
        try {
            rc = client.execute(c, (stream, line) -> {
                if (stream == Stream.STDOUT) {
                    for (ClaudeEvent e : parser.accept(line)) {
                        if (e instanceof ClaudeEvent.ApiRetry) {
                            RateLimits.fromEvent(e).ifPresent(cliRetry::set);
                        }
                        if (cl != null) {
                            cl.event(index, e, parser);
                        }
                    }
                } else {
                    RateLimits.fromStderr(line).ifPresent(stderrLimit::set);
                }
                listener.output(index, stream, line);
            });
        } catch (RuntimeException e) {
            return new Run(TaskResult.error(index, this, e).withClaude(parser.finish(), attempt - 1), null);
        }
        CommandResult r;
        try {
            listener.started(index, this, rc);
            r = rc.await();
        } catch (RuntimeException e) {
            // Interrupted, a listener failed, or the connection broke: cancel, and keep what Claude wrote so far.
            Optional<CommandResult> ended = rc.cancelAndAwait();
            if (ended.isEmpty()) {
                return new Run(TaskResult.error(index, this, e).withClaude(parser.finish(), attempt), null);
            }
            r = ended.get();
        }
        ClaudeResult claude = parser.finish();
        if (schema != null && !claude.isError() && !claude.partial()) {
            claude = claude.withSchema(schema);
        }
        TaskResult base = TaskResult.of(index, this, r).withClaude(claude, attempt);
        if (base.status() == TaskStatus.SUCCESS) {
            String why = claude.partial() ? "Claude Code exited with 0 but wrote no result"
                    : claude.isError() ? withError("Claude Code reported an error", claude)
                    : !claude.schemaErrors().isEmpty() ? "the answer does not match the schema: "
                            + String.join("; ", claude.schemaErrors())
                    : null;
            base = why == null ? base : base.withStatus(TaskStatus.FAILED, why);
        } else if (base.status() == TaskStatus.FAILED && r.reason() == EndReason.EXIT && claude.isError()) {
            base = base.withStatus(TaskStatus.FAILED, withError(base.message(), claude));
        }
        // Only a run that ended on its own can have failed on a limit; a deadline or cancel is final.
        boolean limited = !base.succeeded() && r.reason() == EndReason.EXIT;
        RateLimits.Limit limit = !limited ? null : claude.rateLimit() != null ? claude.rateLimit() : stderrLimit.get();
        return new Run(base, withCliDelay(limit, cliRetry.get()));
    }

    /**
     * The limit with the CLI's last retry delay as its {@link RateLimits.Limit#retryAfter()}, when it has none of
     * its own and the CLI was retrying the same kind of limit. The error {@code result} of a run that exhausted the
     * CLI's retries carries no delay, but the {@code api_retry} events before it do (the API's {@code retry-after}
     * plus jitter), and {@link RetryPolicy} uses that as the floor of its back-off.
     */
    private static RateLimits.Limit withCliDelay(RateLimits.Limit limit, RateLimits.Limit cliRetry) {
        if (limit == null || limit.retryAfter() != null || cliRetry == null || cliRetry.retryAfter() == null
                || cliRetry.kind() != limit.kind()) {
            return limit;
        }
        return new RateLimits.Limit(limit.kind(), limit.httpStatus(), limit.resetAt(), cliRetry.retryAfter(),
                limit.message());
    }

    /** {@code message}, then ": " and what Claude said of its error, when it said anything. */
    private static String withError(String message, ClaudeResult claude) {
        if (!claude.errors().isEmpty()) {
            return message + ": " + String.join("; ", claude.errors());
        }
        String text = claude.text().strip();
        if (text.isEmpty()) {
            return message;
        }
        String head = text.length() > 300 ? text.substring(0, 297) + "..." : text;
        // An API error is reported with subtype "success" (and is_error): naming that subtype would mislead.
        String subtype = claude.errorSubtype();
        return message + ": " + (subtype == null || "success".equals(subtype) ? "" : subtype + ": ") + head;
    }
}
