// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LineSourceTest {
    private final AtomicLong clock = new AtomicLong();
    private final LineSource lines = new LineSource(clock::incrementAndGet);

    @Test
    void nextTakesTheOldestLineAndNullAtTheEnd() throws InterruptedException {
        lines.add("one");
        lines.add("two");
        lines.end();
        assertThat(lines.next().text()).isEqualTo("one");
        assertThat(lines.next().text()).isEqualTo("two");
        assertThat(lines.next()).isNull();
    }

    @Test
    void anAnswerIsALineTypedAfterTheQuestionAndLinesTypedAheadStayPrompts() throws InterruptedException {
        lines.add("typed ahead");
        long asked = lines.now();
        lines.add("y");
        assertThat(lines.nextAfter(asked).text()).isEqualTo("y");
        assertThat(lines.next().text()).isEqualTo("typed ahead");
    }

    @Test
    void whileAQuestionWaitsTheLineTypedForItIsNotTakenAsAPrompt() throws Exception {
        AtomicReference<String> prompt = new AtomicReference<>();
        AtomicReference<String> answer = new AtomicReference<>();
        Thread loop = Thread.ofVirtual().start(() -> {
            try {
                prompt.set(lines.next().text()); // the prompt loop, waiting when the question comes
            } catch (InterruptedException e) {
                prompt.set("interrupted");
            }
        });
        Thread question = Thread.ofVirtual().start(() -> {
            try {
                answer.set(lines.nextAfter(lines.now()).text());
            } catch (InterruptedException e) {
                answer.set("interrupted");
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lines.questionsOpen() == 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertThat(lines.questionsOpen()).isOne();

        lines.add("y");
        question.join(Duration.ofSeconds(5));
        lines.add("next prompt");
        loop.join(Duration.ofSeconds(5));

        assertThat(answer).hasValue("y");
        assertThat(prompt).hasValue("next prompt");
    }

    @Test
    void aQuestionWithNoAnswerBeforeTheEndGetsNull() throws InterruptedException {
        lines.add("typed ahead");
        long asked = lines.now();
        lines.end();
        assertThat(lines.nextAfter(asked)).isNull();
        assertThat(lines.next().text()).isEqualTo("typed ahead");
    }

    @Test
    void aWaitEndsWhenTheLineComesAndWhenTheWaiterIsInterrupted() throws Exception {
        AtomicReference<String> got = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                got.set(lines.next().text());
            } catch (InterruptedException e) {
                got.set("interrupted");
            }
            done.countDown();
        });
        lines.add("late");
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(got).hasValue("late");
        assertThat(waiter.join(Duration.ofSeconds(5))).isTrue();

        Thread.currentThread().interrupt();
        assertThatThrownBy(lines::next).isInstanceOf(InterruptedException.class);
    }

    @Test
    void startReadsUtf8LinesFromAStream() throws InterruptedException {
        LineSource s = LineSource.start(new ByteArrayInputStream("grüß dich\r\nzwei\n".getBytes(
                StandardCharsets.UTF_8)));
        assertThat(s.next().text()).isEqualTo("grüß dich");
        assertThat(s.next().text()).isEqualTo("zwei");
        assertThat(s.next()).isNull();
    }
}
