// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * libc {@code kill(2)} through the FFM API: the JDK can signal a single pid with TERM or KILL only, while ccx needs
 * STOP and CONT, and needs to reach a whole process group ({@code kill(-pgid, sig)}) so grandchildren are included.
 */
final class Posix {
    private static final int ESRCH = 3;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle KILL;

    static {
        Linker linker = Linker.nativeLinker();
        KILL = linker.downcallHandle(
                linker.defaultLookup().find("kill").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"));
    }

    private Posix() {
    }

    /**
     * Sends {@code signal} to {@code target} (a pid, or {@code -pgid} for a group).
     *
     * @return {@code false} when nothing matched (ESRCH); {@code true} when delivered
     * @throws IllegalStateException for any other failure, such as EPERM
     */
    static boolean kill(long target, Signal signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) KILL.invokeExact(state, Math.toIntExact(target), signal.number());
            if (rc == 0) {
                return true;
            }
            int errno = (int) ERRNO.get(state, 0L);
            if (errno == ESRCH) {
                return false;
            }
            throw new IllegalStateException("kill(" + target + ", " + signal + ") failed with errno " + errno);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("kill(" + target + ", " + signal + ") could not be called", t);
        }
    }
}
