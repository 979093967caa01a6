// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.process.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every process group a test saw started, and a JUnit extension that fails the test if any of them still has a
 * live member afterwards (waiting a bounded 5 s for members being killed). Survivors are then killed so one
 * failure does not spill into the next test.
 */
public final class Groups implements AfterEachCallback {
    private static final Set<Long> SEEN = ConcurrentHashMap.newKeySet();

    /** Records a pgid reported by the server. */
    public static void saw(long pgid) {
        SEEN.add(pgid);
    }

    /** Waits until none of the recorded groups has a member; returns the ones still alive. */
    public static List<Long> survivors(long waitMillis) {
        return Wait.untilValue(waitMillis, () -> {
            List<Long> alive = new ArrayList<>();
            for (long pgid : SEEN) {
                if (new ProcessGroup(pgid).isAlive()) {
                    alive.add(pgid);
                }
            }
            return alive;
        }, List::isEmpty);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<Long> alive = survivors(5_000);
        for (long pgid : alive) {
            new ProcessGroup(pgid).signal(Signal.KILL);
        }
        SEEN.clear();
        if (!alive.isEmpty()) {
            throw new AssertionError("process groups still alive after the test: " + alive);
        }
    }
}
