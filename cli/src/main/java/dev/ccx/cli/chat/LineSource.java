// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The one reader of the chat's stdin, shared by the prompt loop and the permission questions. A thread of its own
 * reads lines as they are typed (or piped) and queues them with the time they arrived; {@link #next()} takes the
 * oldest, for the next prompt, and {@link #nextAfter(long)} the first typed after a question was shown, so a line
 * typed ahead while Claude answered stays a prompt and never becomes the answer to a question it was not meant for;
 * and while a question waits, a line typed after it was shown is its answer, never a prompt.
 *
 * <p>Both waits are interruptible and end with {@code null} at end of input; nothing else bounds them, since they
 * wait for a person (the permission callback that calls {@link #nextAfter} is bounded by the session's permission
 * timeout, which interrupts it). The reader is a daemon platform thread (a blocking read of a file descriptor
 * holds its carrier anyway): it may still be blocked on the terminal when the chat ends, and must not keep the JVM
 * alive then.
 */
public final class LineSource {
    /** A line as typed (without its line break), and when it arrived on this source's clock. */
    public record Line(String text, long arrived) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Line> lines = new ArrayDeque<>();
    private final LongSupplier nanos;
    /** When each question now waiting for its answer was shown: lines typed since are for them, not for prompts. */
    private final List<Long> open = new ArrayList<>();
    private boolean ended;

    LineSource(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Starts reading {@code in} (UTF-8) on a daemon thread. */
    public static LineSource start(InputStream in) {
        LineSource source = new LineSource(System::nanoTime);
        Thread t = new Thread(() -> source.readAll(in), "ccx-chat-stdin");
        t.setDaemon(true);
        t.start();
        return source;
    }

    private void readAll(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                add(line);
            }
        } catch (IOException e) {
            // A closed or broken stdin ends the input like end of file: the chat then closes its session.
        } finally {
            end();
        }
    }

    void add(String text) {
        lock.lock();
        try {
            lines.add(new Line(text, nanos.getAsLong()));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The current time on this source's clock, for {@link #nextAfter(long)}. */
    public long now() {
        return nanos.getAsLong();
    }

    /** The oldest line not taken yet; {@code null} at end of input. */
    public Line next() throws InterruptedException {
        return take(Long.MIN_VALUE);
    }

    /**
     * The oldest line that arrived after {@code since} (from {@link #now()}); lines that arrived before stay for
     * {@link #next()}. {@code null} at end of input.
     */
    public Line nextAfter(long since) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            open.add(since);
        } finally {
            lock.unlock();
        }
        try {
            return take(since);
        } finally {
            lock.lock();
            try {
                open.remove(Long.valueOf(since));
                changed.signalAll(); // lines kept back from next() may be prompts again
            } finally {
                lock.unlock();
            }
        }
    }

    /** Questions waiting for their answer now. */
    int questionsOpen() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code l} was typed before every question that waits now: only then may it be a prompt. */
    private boolean beforeEveryQuestion(Line l) {
        for (long since : open) {
            if (l.arrived() - since > 0) {
                return false;
            }
        }
        return true;
    }

    private Line take(long since) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                for (Iterator<Line> it = lines.iterator(); it.hasNext(); ) {
                    Line l = it.next();
                    boolean eligible = since == Long.MIN_VALUE ? beforeEveryQuestion(l) : l.arrived() - since > 0;
                    if (eligible) {
                        it.remove();
                        return l;
                    }
                }
                if (ended) {
                    return null;
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }
}
