// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import dev.ccx.server.concurrent.Threads;
import dev.ccx.server.os.ErrnoException;
import dev.ccx.server.process.jdk.JdkEngine;
import dev.ccx.server.process.linux.NativeEngine;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the process engine at start-up: {@code --spawner auto|native|jdk}. */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    /** The {@code --spawner} setting. */
    public enum Choice {
        /** Native when this machine passes the self-test, else jdk with one warning line. */
        AUTO,
        /** Native, or fail to start. */
        NATIVE,
        /** ProcessBuilder and setsid. */
        JDK;

        /** Parses {@code auto}, {@code native} or {@code jdk} (any case). */
        public static Choice parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("spawner: \"" + s + "\" (expected: auto, native or jdk)");
            }
        }
    }

    private Engines() {
    }

    /**
     * Opens the engine {@code choice} asks for.
     *
     * @throws IllegalStateException when {@code native} was asked for and this machine cannot run it, or no engine
     *                               at all can run
     */
    public static ProcessEngine open(Choice choice) {
        if (choice == Choice.JDK) {
            return JdkEngine.create(Threads.platform("pipe"));
        }
        String problem = NativeEngine.unsupported();
        NativeEngine engine = null;
        if (problem == null) {
            try {
                engine = new NativeEngine(Threads.platform("poller"));
                problem = engine.selfTest();
            } catch (ErrnoException | RuntimeException | LinkageError e) {
                problem = e.toString();
            }
        }
        if (problem == null) {
            return engine;
        }
        if (engine != null) {
            engine.close();
        }
        if (choice == Choice.NATIVE) {
            throw new IllegalStateException("the native spawner cannot run here: " + problem);
        }
        LOG.warn("native spawner unavailable ({}); using the jdk spawner (ProcessBuilder + setsid)", problem);
        return JdkEngine.create(Threads.platform("pipe"));
    }
}
