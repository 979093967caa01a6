// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import dev.ccx.client.claude.PermissionCallback;
import dev.ccx.client.claude.PermissionDecision;
import dev.ccx.client.claude.PermissionRequest;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides the permission requests of a chat's Claude Code ({@code can_use_tool}, sent for tools its options do not
 * already allow): as {@code --permission-prompt} says, asking the person at the terminal, or allowing or denying
 * every one. A tool answered "always" is allowed without asking for the rest of the session. Questions are asked
 * one at a time (several requests may come at once, each on its own thread), so the screen shows one question and
 * each answer goes to the question it was typed for.
 */
public final class Permissions implements PermissionCallback {
    /** {@code --permission-prompt}: who decides. */
    public enum Mode {
        ASK, ALLOW, DENY;

        /** The mode spelled {@code value} ({@code ask}, {@code allow}, {@code deny}). */
        public static Mode of(String value) {
            for (Mode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--permission-prompt must be ask, allow or deny; got " + value);
        }
    }

    /** What the model (and the output) is told when {@link Mode#DENY} denies a tool. */
    static final String DENIED = "denied by ccx --permission-prompt deny (the default without a terminal); "
            + "--permission-prompt allow or --allowed-tools allows tools";

    private final Mode mode;
    private final ChatOutput output;
    private final PermissionQuestion question;
    private final Set<String> always = ConcurrentHashMap.newKeySet();
    private final ReentrantLock asking = new ReentrantLock();

    private Permissions(Mode mode, ChatOutput output, PermissionQuestion question) {
        this.mode = mode;
        this.output = output;
        this.question = question;
    }

    /** Asks at the terminal {@code screen}, reading answers from {@code lines}. */
    public static Permissions asking(ChatScreen screen, LineSource lines) {
        return new Permissions(Mode.ASK, screen, new PermissionQuestion(screen, lines));
    }

    /** Allows ({@link Mode#ALLOW}) or denies ({@link Mode#DENY}) every request, reporting each to {@code output}. */
    public static Permissions fixed(Mode mode, ChatOutput output) {
        if (mode == Mode.ASK) {
            throw new IllegalArgumentException("--permission-prompt ask needs a terminal");
        }
        return new Permissions(mode, output, null);
    }

    @Override
    public PermissionDecision decide(PermissionRequest request) throws InterruptedException {
        if (always.contains(request.toolName())) {
            output.permission(request, true, "always allowed in this session");
            return PermissionDecision.allow();
        }
        return switch (mode) {
            case ALLOW -> {
                output.permission(request, true, "--permission-prompt allow");
                yield PermissionDecision.allow();
            }
            case DENY -> {
                output.permission(request, false, DENIED);
                yield PermissionDecision.deny(DENIED);
            }
            case ASK -> ask(request);
        };
    }

    private PermissionDecision ask(PermissionRequest request) throws InterruptedException {
        asking.lockInterruptibly();
        try {
            if (always.contains(request.toolName())) { // answered "always" while this request waited its turn
                output.permission(request, true, "always allowed in this session");
                return PermissionDecision.allow();
            }
            return switch (question.ask(request)) {
                case ONCE -> PermissionDecision.allow();
                case ALWAYS -> {
                    always.add(request.toolName());
                    yield PermissionDecision.allow();
                }
                case DENY -> PermissionDecision.deny("The user denied permission to use " + request.toolName()
                        + " this time.");
                case NONE -> PermissionDecision.deny("No answer from the user: the chat's input ended.");
            };
        } finally {
            asking.unlock();
        }
    }
}
