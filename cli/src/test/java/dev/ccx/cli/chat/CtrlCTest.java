// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CtrlCTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final CtrlC keys = new CtrlC(now::get);

    private void later(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aPressDuringATurnInterruptsItAndASecondSoonAfterQuits() {
        assertThat(keys.press(true)).isEqualTo(CtrlC.Action.INTERRUPT);
        later(Duration.ofMillis(500));
        assertThat(keys.press(true)).isEqualTo(CtrlC.Action.QUIT);
    }

    @Test
    void aPressAtThePromptOnlySaysHowToQuitAndASecondSoonAfterQuits() {
        assertThat(keys.press(false)).isEqualTo(CtrlC.Action.HINT);
        later(CtrlC.WINDOW);
        assertThat(keys.press(false)).isEqualTo(CtrlC.Action.QUIT);
    }

    @Test
    void pressesFurtherApartThanTheWindowAreEachAFirstPress() {
        assertThat(keys.press(true)).isEqualTo(CtrlC.Action.INTERRUPT);
        later(CtrlC.WINDOW.plusMillis(1));
        assertThat(keys.press(false)).isEqualTo(CtrlC.Action.HINT);
        later(CtrlC.WINDOW.plusMillis(1));
        assertThat(keys.press(true)).isEqualTo(CtrlC.Action.INTERRUPT);
    }
}
