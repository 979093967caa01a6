// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import dev.ccx.client.CcxClient;
import dev.ccx.client.CcxTimeoutException;
import dev.ccx.client.Command;
import dev.ccx.client.DetachedException;
import dev.ccx.client.OutputListener;
import dev.ccx.client.CommandResult;
import dev.ccx.client.RunningCommand;
import dev.ccx.client.Stream;
import dev.ccx.protocol.Wire;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A live Claude Code session through ccx: one CLI process in stream-json input mode serving many turns, with
 * interrupts, permission callbacks and model or mode changes, that outlives the connection it was started on.
 *
 * <p><b>The process.</b> {@link #start} runs {@code claude --output-format stream-json --verbose --input-format
 * stream-json [--permission-prompt-tool stdio] [options]} as a kept execution with a stdin pipe
 * ({@link Command#keep}, {@link Command#stdin()}), argv only, then performs the {@code initialize} handshake. User
 * messages and control requests go to its stdin as JSON lines; its stdout is parsed line by line.
 *
 * <p><b>Turns.</b> {@link #send} writes a user message and returns its {@link Turn}; the CLI answers each message
 * with exactly one {@code result} line, which ends the turn. A message sent while a turn runs waits here and is
 * written after that turn's {@code result}, so results always match their prompts.
 *
 * <p><b>Control.</b> {@link #interrupt()}, {@link #setPermissionMode}, {@link #setModel} and {@link #control} send a
 * {@code control_request} and wait at most {@link ClaudeSessionOptions#controlTimeout()} for its
 * {@code control_response}. The CLI's own requests ({@code can_use_tool}) go to the {@link PermissionCallback} on a
 * thread of their own, bounded by {@link ClaudeSessionOptions#permissionTimeout()}; a {@code control_cancel_request}
 * interrupts that thread and drops its answer. Any other request from the CLI is answered with an error naming its
 * subtype, and the session goes on.
 *
 * <p><b>Durability.</b> The process belongs to the server, not to this object: when the connection drops, the
 * client attaches again and the session goes on without missing or repeating a line. Another client (an
 * orchestrator that restarted) takes it up with {@link #attach}, which replays every event once, adopts a turn in
 * progress, and asks the callback about permission requests still unanswered. If nobody follows it for
 * {@link ClaudeSessionOptions#linger()}, the server ends it. When the Claude process itself has ended,
 * {@link #resume()} starts a new one with {@code --resume SESSION_ID}, and the conversation goes on.
 *
 * <p><b>Closing</b> follows the order the CLI needs: a running turn is interrupted and its result awaited, stdin is
 * closed after the last result, the process gets {@link ClaudeSessionOptions#closeTimeout()} to flush its session
 * and exit, and then the server ends its group (SIGTERM, then SIGKILL). {@link #detach()} leaves it running for
 * another client instead.
 *
 * <p>Thread-safe. Listener calls come on the execution's callback thread, in order; nothing here holds a lock while
 * it waits for the network, the process or a callback.
 */
public final class ClaudeSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClaudeSession.class.getName());
    private static final String PERMISSION_TOOL = "--permission-prompt-tool";
    /** Ended turns kept for {@link #turns()}: a session may run for days. */
    private static final int MAX_TURNS_KEPT = 1000;

    private final CcxClient client;
    private final ClaudeSessionOptions options;
    private final SessionListener listener;
    private final ControlRequests controls = new ControlRequests();
    private final PermissionDesk permissions;

    // Guarded by this; never held while waiting.
    private Process process;
    private Turn current;
    private final Deque<Turn> queued = new ArrayDeque<>();
    private final List<TurnResult> done = new ArrayList<>();
    private int turns;
    private String sessionId;
    private Double lastTotalCost;
    private double costOfEndedProcesses;
    /** Every ended turn's tokens and count, kept apart from {@link #done}, which keeps only the last turns. */
    private Usage usage = Usage.ZERO;
    private int endedTurns;
    private JsonNode initialized;
    private boolean closed;
    /** Interrupts sent and not yet answered; no queued turn starts meanwhile. */
    private int interrupting;
    /** Set while {@link #resume()} starts a process, so that a second caller waits for it instead of starting one. */
    private CompletableFuture<Void> resuming;

    /** One Claude Code process of this session, and what talks to it. */
    private final class Process {
        /**
         * Set by {@link #bind} once {@code execute} or {@code attach} has returned; lines may reach the listener
         * before that, and find this object already there.
         */
        volatile RunningCommand command;
        volatile StdinLines stdin;
        final StreamJsonParser between = new StreamJsonParser(e -> tell(listener, e));
        /** Its last stderr lines, for error messages. */
        final Deque<String> stderrTail = new ArrayDeque<>();
        /** {@code false} while an attach replays what happened before it. */
        volatile boolean live;
        /** Set once its end has been handled (turns failed, cost added up); guarded by the session. */
        boolean over;
        /** Completes when the replay of an attach has been handled; at once for a process this client started. */
        final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        /** Completes on the callback thread after the last line of the process has been handled. */
        final CompletableFuture<Void> linesDone = new CompletableFuture<>();

        Process(boolean live) {
            this.live = live;
            if (live) {
                caughtUp.complete(null);
            }
        }

        Process bind(RunningCommand rc) {
            stdin = new StdinLines(client, rc.executionId(), client.options().reconnectTimeout());
            command = rc;
            // The end is handled after the last line, on the callback thread, whichever way the execution ended.
            rc.result().handle((r, e) -> linesDone.thenRun(() -> ended(this, r, e)));
            return this;
        }

        /** The execution's listener: every line, then its end. */
        OutputListener listener() {
            return new OutputListener() {
                @Override
                public void line(Stream stream, String line) {
                    handle(Process.this, stream, line);
                }

                @Override
                public void end() {
                    linesDone.complete(null);
                }
            };
        }
    }

    private ClaudeSession(CcxClient client, ClaudeSessionOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.listener = options.listener();
        this.permissions = new PermissionDesk(options.permissions(), options.permissionTimeout());
    }

    /**
     * Starts Claude Code on the server and performs the {@code initialize} handshake.
     *
     * @throws ClaudeSessionException the CLI did not answer {@code initialize} (it is then ended), or answered with
     *                                an error
     * @throws dev.ccx.client.RequestFailedException the server refused the execution (not found, limits...)
     */
    public static ClaudeSession start(CcxClient client, ClaudeSessionOptions options) {
        ClaudeSession s = new ClaudeSession(client, options);
        s.launch(options.command());
        return s;
    }

    /**
     * Takes up a session that runs on the server (started by {@link #start}, by this or another client, with the
     * same token): every event from the start of the process is replayed to the listener once, a turn in
     * progress becomes {@link #currentTurn()}, and permission requests still unanswered go to the callback.
     */
    public static ClaudeSession attach(CcxClient client, String executionId, ClaudeSessionOptions options) {
        ClaudeSession s = new ClaudeSession(client, options);
        s.follow(executionId);
        return s;
    }

    // ---- the process ---------------------------------------------------------------------------------------------

    private void launch(ClaudeCommand command) {
        List<String> argv = new ArrayList<>(command.argv());
        argv.add("--replay-user-messages"); // each prompt in the execution's log: an attach sees the turns begin
        if (options.permissions() != null) {
            argv.add(PERMISSION_TOOL);
            argv.add("stdio");
        }
        Command run = Command.argv(argv).cwd(options.cwd()).env(merged()).timeout(options.maxLifetime())
                .keep(options.linger()).stdin().streamOnly(options.maxLineChars());
        Process p = new Process(true);
        p.bind(client.execute(run, p.listener()));
        synchronized (this) {
            process = p;
            lastTotalCost = null;
        }
        try {
            JsonNode answer = control("initialize", Map.of());
            synchronized (this) {
                initialized = answer;
            }
        } catch (RuntimeException e) {
            p.command.cancelAndAwait();
            p.stdin.close();
            throw new ClaudeSessionException("Claude Code did not complete the initialize handshake: "
                    + e.getMessage() + stderrHint(p), e);
        }
    }

    private Map<String, String> merged() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLAUDE_CODE_ENTRYPOINT", "sdk-java");
        env.putAll(options.env());
        return env;
    }

    private void follow(String executionId) {
        Process p = new Process(false);
        permissions.replaying();
        RunningCommand rc = client.attach(executionId, 0, p.listener(), options.maxLineChars());
        synchronized (this) {
            process = p;
        }
        p.bind(rc);
        long replayed = rc.attachInfo().map(a -> a.nextSeq() - 1).orElse(0L);
        rc.whenSeen(replayed).thenRun(() -> goLive(p));
    }

    /** The replay is over: permission requests that nobody answered in it are decided now. */
    private void goLive(Process p) {
        Turn next;
        synchronized (this) {
            p.live = true;
            if (p.over || closed) {
                p.caughtUp.complete(null);
                return;
            }
            next = nextTurn();
        }
        permissions.replayed(p.stdin);
        if (next != null) {
            write(p, next);
        }
        p.caughtUp.complete(null);
    }

    private void ended(Process p, CommandResult r, Throwable e) {
        String why = e instanceof DetachedException ? "the session was detached"
                : e != null ? "the connection to the Claude process was lost: " + e.getMessage()
                : "the Claude process ended (" + r.reason().wire() + (r.exitCode() == null ? "" : ", exit code "
                + r.exitCode()) + ")" + (Integer.valueOf(0).equals(r.exitCode()) ? "" : stderrHint(p));
        Turn running;
        List<Turn> waiting;
        synchronized (this) {
            if (process != p || p.over) {
                return;
            }
            p.over = true;
            if (lastTotalCost != null) {
                costOfEndedProcesses += lastTotalCost;
                lastTotalCost = null;
            }
            running = current;
            current = null;
            waiting = List.copyOf(queued);
            queued.clear();
        }
        p.stdin.close();
        p.caughtUp.complete(null);
        ClaudeSessionException failure = new ClaudeSessionException(why);
        controls.failAll(failure);
        permissions.stopAll();
        boolean detached = e instanceof DetachedException;
        if (running != null) {
            if (detached) {
                running.fail(new ClaudeSessionException("the session was detached; " + running
                        + " goes on in the Claude process"));
            } else {
                finish(running, null, TurnResult.PROCESS_ENDED);
            }
        }
        waiting.forEach(t -> t.fail(new ClaudeSessionException(why + "; " + t + " was not sent")));
        if (!detached) {
            notify(l -> l.processEnded(why));
        }
    }

    // ---- lines from the CLI (the execution's callback thread) ---------------------------------------------------

    private void handle(Process p, Stream stream, String line) {
        if (stream == Stream.STDERR) {
            remember(p, line);
            notify(l -> l.stderr(line));
            return;
        }
        JsonNode node = parse(line);
        String type = node == null ? null : Json.text(node.path("type"));
        if (type != null && type.startsWith("control_")) {
            tell(listener, new ClaudeEvent.Unknown(type, Json.text(node.path("request").path("subtype")), node, line));
            switch (type) {
                case "control_response" -> controls.answered(node.path("response"));
                case "control_request" -> permissions.asked(p.stdin, node);
                case "control_cancel_request" -> permissions.withdrawn(Json.text(node.path("request_id")));
                default -> { }
            }
            return;
        }
        Turn turn;
        synchronized (this) {
            if (node != null && sessionId == null) {
                sessionId = Json.text(node.path("session_id"));
            }
            if (current == null && !p.live && startsTurn(type, node)) {
                // An attach replaying a turn another client sent.
                current = started(new Turn(this, null, null, null, listener));
            }
            if (current != null && "user".equals(type) && Json.isTrue(node.path("isReplay"))) {
                current.promptSeen(StreamJsonParser.promptText(node.path("message").path("content")));
            }
            turn = current;
            if ("user".equals(type)) {
                permissions.answeredInReplay(node);
            }
        }
        StreamJsonParser parser = turn != null ? turn.parser : p.between;
        if (node != null) {
            parser.accept(node, line);
        } else {
            parser.accept(line);
        }
        if ("result".equals(type)) {
            Double total = Json.doubleOrNull(node.path("total_cost_usd"));
            if (turn != null) {
                finish(turn, total, Json.text(node.path("terminal_reason")));
            } else {
                synchronized (this) {
                    lastTotalCost = total != null ? total : lastTotalCost;
                }
            }
        }
    }

    /** The CLI starts each turn with {@code init}, then echoes the prompt ({@code --replay-user-messages}). */
    private static boolean startsTurn(String type, JsonNode node) {
        return "user".equals(type) && Json.isTrue(node.path("isReplay"))
                || "system".equals(type) && "init".equals(Json.text(node.path("subtype")));
    }

    private static JsonNode parse(String line) {
        if (line.isEmpty() || line.charAt(0) != '{') {
            return null;
        }
        try {
            JsonNode node = Wire.mapper().readTree(line);
            return node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** Ends {@code turn} with its parser's result; starts the next queued turn. */
    private void finish(Turn turn, Double total, String terminalReason) {
        ClaudeResult r = turn.parser.finish();
        if (turn.schema() != null) {
            r = r.withSchema(turn.schema());
        }
        Turn next;
        Process p;
        TurnResult result;
        synchronized (this) {
            Double before = lastTotalCost;
            Double cost = total == null ? null : total - (before == null ? 0 : before);
            lastTotalCost = total != null ? total : lastTotalCost;
            long started = turn.startedNanos;
            Duration took = started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
            result = new TurnResult(turn.index(), turn.prompt(), r, terminalReason, cost, took, false,
                    turn.adopted());
            done.add(result);
            usage = usage.plus(r.usage());
            endedTurns++;
            if (done.size() > MAX_TURNS_KEPT) {
                done.removeFirst();
            }
            if (current == turn) {
                current = null;
            }
            next = nextTurn();
            p = process;
        }
        if (next != null) {
            write(p, next);
        }
        // The listener first, so that whoever waits on the turn sees its events all told.
        notify(l -> l.turnEnded(result));
        turn.complete(result);
    }

    /**
     * The queued turn that may start now, made current: none while a turn runs, while an attach's replay shows the
     * past (the CLI is still busy with those turns), or after the process ended. Under this session's lock.
     */
    private Turn nextTurn() {
        // While an interrupt is on its way, the turn it was meant for may have ended: the next must not take it.
        if (current != null || interrupting > 0 || process == null || !process.live || process.over) {
            return null;
        }
        Turn next = queued.poll();
        if (next != null) {
            current = started(next);
        }
        return next;
    }

    /** Tells the listener, if any; what it throws is logged, and changes nothing else. */
    private void notify(java.util.function.Consumer<SessionListener> call) {
        if (listener == null) {
            return;
        }
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "session listener failed", e);
        }
    }

    // ---- control traffic ------------------------------------------------------------------------------------

    /**
     * Sends a control request and waits for the CLI's answer.
     *
     * @param subtype the request's {@code subtype}, for example {@code get_context_usage}
     * @param fields  its other fields
     * @return the {@code response} object of the CLI's success answer
     * @throws ClaudeSessionException the CLI answered with an error (its text is in the message), or the process
     *                                ended first
     * @throws CcxTimeoutException    no answer within {@link ClaudeSessionOptions#controlTimeout()}
     */
    public JsonNode control(String subtype, Map<String, ?> fields) {
        Objects.requireNonNull(subtype, "subtype");
        return controls.send(usable().stdin, subtype, fields, options.controlTimeout());
    }

    /** Interrupts the running turn (the CLI's {@code interrupt}); it ends with an {@code aborted_*} reason. */
    public void interrupt() {
        synchronized (this) {
            interrupting++;
        }
        try {
            control("interrupt", Map.of());
        } finally {
            Turn next;
            Process p;
            synchronized (this) {
                interrupting--;
                next = nextTurn();
                p = process;
            }
            if (next != null) {
                write(p, next);
            }
        }
    }

    /** Changes the permission mode for the following tool uses ({@code set_permission_mode}). */
    public void setPermissionMode(ClaudeCommand.PermissionMode mode) {
        control("set_permission_mode", Map.of("mode", mode.cli()));
    }

    /** Changes the model for the following turns ({@code set_model}); {@code null} returns to the default. */
    public void setModel(String model) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("model", model);
        control("set_model", fields);
    }

    /**
     * For {@link Turn#await} given up: interrupts {@code turn} if it is the one running, withdraws it if it still
     * waits for an earlier one (it then fails, and is never sent); never throws.
     */
    void interruptTurn(Turn turn) {
        synchronized (this) {
            if (queued.remove(turn)) {
                turn.fail(new ClaudeSessionException(turn + " was withdrawn before it was sent"));
                return;
            }
            if (current != turn) {
                return;
            }
        }
        try {
            interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "interrupt failed", e);
        }
    }

    Duration controlTimeout() {
        return options.controlTimeout();
    }

    // ---- turns ----------------------------------------------------------------------------------------------

    /** Sends a prompt; see {@link #send(String, JsonNode)}. */
    public Turn send(String prompt) {
        return send(prompt, null);
    }

    /**
     * Sends a prompt as the next turn. When {@code schema} is given, the turn's answer is looked for as JSON and
     * checked against it ({@link ClaudeResult#withSchema}).
     *
     * @throws ClaudeSessionException the session is closed, or its process has ended (see {@link #resume()})
     */
    public Turn send(String prompt, JsonNode schema) {
        Objects.requireNonNull(prompt, "prompt");
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("prompt is blank");
        }
        return enqueue(prompt, Wire.mapper().getNodeFactory().stringNode(prompt), schema);
    }

    /**
     * Sends content blocks as the next turn (for example text and image blocks, as the Messages API takes them).
     *
     * @throws IllegalArgumentException {@code content} is not a non-empty array of objects
     */
    public Turn send(ArrayNode content, JsonNode schema) {
        Objects.requireNonNull(content, "content");
        if (content.isEmpty() || !content.valueStream().allMatch(JsonNode::isObject)) {
            throw new IllegalArgumentException("content must be a non-empty array of content blocks (objects)");
        }
        return enqueue(null, content.deepCopy(), schema);
    }

    /** Sends a prompt and waits for its answer; see {@link Turn#await(Duration)}. */
    public TurnResult ask(String prompt, Duration timeout) {
        return send(prompt).await(timeout);
    }

    private Turn enqueue(String prompt, JsonNode content, JsonNode schema) {
        if (options.autoResume()) {
            boolean dead;
            synchronized (this) {
                dead = !closed && process != null && process.over;
            }
            if (dead) {
                resume();
            }
        }
        Process p;
        Turn turn;
        boolean now;
        synchronized (this) {
            p = usable();
            ObjectNode line = Wire.mapper().createObjectNode();
            line.put("type", "user");
            line.putObject("message").put("role", "user").set("content", content);
            line.putNull("parent_tool_use_id");
            line.put("session_id", sessionId != null ? sessionId : "default");
            turn = new Turn(this, prompt, schema == null ? null : schema.deepCopy(), ControlRequests.bytes(line),
                    listener);
            queued.add(turn);
            now = nextTurn() == turn;
        }
        if (now) {
            write(p, turn);
        }
        return turn;
    }

    /** The turn that runs now gets its number; under this session's lock. */
    private Turn started(Turn turn) {
        turn.numbered(++turns);
        return turn;
    }

    private void write(Process p, Turn turn) {
        turn.startedNanos = System.nanoTime();
        p.stdin.write(turn.line).exceptionally(e -> {
            ClaudeSessionException why = new ClaudeSessionException("could not send " + turn + " to Claude Code"
                    + " (if the connection dropped while it was on its way, Claude may still answer it): "
                    + e.getMessage(), e);
            boolean next;
            synchronized (this) {
                next = current == turn;
            }
            if (next && turn.fail(why)) {
                finishFailed(turn);
            }
            return null;
        });
    }

    /** A turn whose prompt never reached the CLI: the next one may go. */
    private void finishFailed(Turn turn) {
        Turn next;
        Process p;
        synchronized (this) {
            if (current != turn) {
                return;
            }
            current = null;
            next = nextTurn();
            p = process;
        }
        if (next != null) {
            write(p, next);
        }
    }

    private synchronized Process usable() {
        if (closed) {
            throw new ClaudeSessionException("the Claude session is closed");
        }
        if (process == null || process.over) {
            throw new ClaudeSessionException("the Claude process has ended"
                    + (sessionId == null ? "" : "; resume() starts a new one with --resume " + sessionId));
        }
        return process;
    }

    // ---- state ----------------------------------------------------------------------------------------------

    /** The CLI's session id (for {@code --resume}), once the CLI has said it; {@code null} before. */
    public synchronized String sessionId() {
        return sessionId;
    }

    /** The ccx execution id of the current Claude process: what {@link #attach} takes. */
    public synchronized String executionId() {
        return process.command.executionId();
    }

    /** The current Claude process's pid (also its process group). */
    public synchronized long pid() {
        return process.command.pid();
    }

    /** Whether the current Claude process still runs. */
    public synchronized boolean isAlive() {
        return process != null && !process.over;
    }

    /**
     * Completes when the session has caught up with its process: at once for one this client started, after the
     * replay for {@link #attach} (prompts sent before then wait, and go after the turns of the past).
     */
    public synchronized CompletableFuture<Void> caughtUp() {
        return process.caughtUp;
    }

    /** The turn running now, if any. */
    public synchronized java.util.Optional<Turn> currentTurn() {
        return java.util.Optional.ofNullable(current);
    }

    /**
     * The results of the turns ended so far, in order (including those replayed by {@link #attach}); the last
     * 1,000 of a longer session.
     */
    public synchronized List<TurnResult> turns() {
        return List.copyOf(done);
    }

    /** What the session has cost so far: the running totals of its processes, added up. */
    public synchronized double totalCostUsd() {
        return costOfEndedProcesses + (lastTotalCost == null ? 0 : lastTotalCost);
    }

    /** The tokens of every turn ended so far (replayed ones included), added up. */
    public synchronized Usage totalUsage() {
        return usage;
    }

    /** How many turns have ended so far (replayed ones included); {@link #turns()} keeps only the last 1,000. */
    public synchronized int turnsEnded() {
        return endedTurns;
    }

    /** The CLI's answer to {@code initialize} (its commands, models, account...), or {@code null} after attach. */
    public synchronized JsonNode initializeResponse() {
        return initialized;
    }

    // ---- resume, detach, close -----------------------------------------------------------------------------

    /**
     * Starts a new Claude process for this conversation, {@code claude ... --resume SESSION_ID}, after the
     * previous one ended (crashed, killed, ended by its deadline). The CLI reloads the transcript it keeps on the
     * server's machine, so the conversation goes on with the same session id.
     *
     * @throws IllegalStateException the process still runs, or the CLI never said its session id
     */
    public void resume() {
        String id;
        CompletableFuture<Void> other;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                throw new ClaudeSessionException("the Claude session is closed");
            }
            other = resuming;
            if (other == null) {
                if (process != null && !process.over) {
                    throw new IllegalStateException("the Claude process still runs; resume() is for one that ended");
                }
                if (sessionId == null) {
                    throw new IllegalStateException("the CLI never said its session id, so there is nothing to"
                            + " resume");
                }
                resuming = mine;
            }
            id = sessionId;
        }
        if (other != null) {
            awaitResume(other); // another thread is starting the process: one process, not two
            return;
        }
        try {
            launch(options.command().resume(id));
            mine.complete(null);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                resuming = null;
            }
        }
    }

    private void awaitResume(CompletableFuture<Void> other) {
        try {
            other.get(options.controlTimeout().multipliedBy(2).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CcxTimeoutException("the Claude process being resumed by another thread did not start within "
                    + options.controlTimeout().multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClaudeSessionException("interrupted while the Claude process was being resumed", e);
        } catch (ExecutionException e) {
            throw new ClaudeSessionException("resuming the Claude process failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Stops following the session and leaves the Claude process running on the server, for {@link #attach} by
     * this or another client within {@link ClaudeSessionOptions#linger()}. This object is closed afterwards.
     */
    public void detach() {
        Process p;
        synchronized (this) {
            if (closed) {
                return;
            }
            p = process;
        }
        p.command.detach(); // when it fails, the session stays open, for close()
        synchronized (this) {
            closed = true;
        }
        p.stdin.close();
        failQueued("the session was detached");
    }

    /**
     * Ends the session in the order the CLI needs: interrupts a running turn and waits for its result, closes
     * stdin after the last result, gives the process {@link ClaudeSessionOptions#closeTimeout()} to exit, and has
     * the server end its group when it does not. Waits at most about twice the control timeout plus the close
     * timeout and the server's kill grace; never throws. Turns still queued fail.
     */
    @Override
    public void close() {
        Process p;
        Turn running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = process;
            running = current;
        }
        failQueued("the session was closed");
        if (p == null) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        boolean over;
        synchronized (this) {
            over = p.over;
        }
        try {
            if (over) {
                return; // nothing runs: no turn to interrupt, no stdin to end
            }
            if (running != null && !p.command.isDone()) {
                try {
                    controls.post(p.stdin, "interrupt");
                    running.result().get(options.controlTimeout().toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "the running turn did not end on interrupt", e);
                }
            }
            try {
                p.stdin.end().get(options.controlTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not close the Claude process's stdin", e);
            }
            if (!p.command.isDone()) {
                try {
                    p.command.await(options.closeTimeout()); // cancels (TERM, grace, KILL) when it runs out
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "the Claude process did not end cleanly", e);
                }
            }
        } finally {
            if (!p.command.isDone()) {
                p.command.cancelAndAwait();
            }
            p.stdin.close();
            permissions.stopAll();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends the Claude process now, without the orderly close: the server sends its group SIGTERM, then SIGKILL
     * after its grace. For a caller that is itself going away (a signal) and cannot wait for a turn to stop; the
     * CLI may not have flushed its session file, so a later {@code --resume} may miss the last turn. Waits at most
     * the client's close timeout; never throws.
     */
    public void abort() {
        Process p;
        synchronized (this) {
            closed = true;
            p = process;
        }
        failQueued("the session was aborted");
        if (p != null && !p.command.isDone()) {
            p.command.cancelAndAwait();
        }
    }

    private void failQueued(String why) {
        List<Turn> waiting;
        synchronized (this) {
            waiting = List.copyOf(queued);
            queued.clear();
        }
        waiting.forEach(t -> t.fail(new ClaudeSessionException(why + " before " + t + " was sent")));
    }

    // ---- helpers --------------------------------------------------------------------------------------------


    private static void remember(Process p, String line) {
        Deque<String> tail = p.stderrTail;
        synchronized (tail) {
            tail.addLast(line.length() > 500 ? line.substring(0, 500) + "…" : line);
            while (tail.size() > 10) {
                tail.removeFirst();
            }
        }
    }

    private static String stderrHint(Process p) {
        Deque<String> tail = p.stderrTail;
        synchronized (tail) {
            return tail.isEmpty() ? "" : "; its stderr ended with: " + String.join(" | ", tail);
        }
    }

    static void tell(SessionListener listener, ClaudeEvent event) {
        if (listener == null) {
            return;
        }
        try {
            listener.event(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "session listener failed", e);
        }
    }

    @Override
    public synchronized String toString() {
        return "ClaudeSession[" + (sessionId == null ? "?" : sessionId) + ", execution "
                + (process == null ? "none" : process.command.executionId()) + (closed ? ", closed" : "") + "]";
    }
}
