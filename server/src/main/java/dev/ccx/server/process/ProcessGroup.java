// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import dev.ccx.server.os.Libc;
import dev.ccx.server.os.ProcStat;

/**
 * A process group whose leader was started in a new session: the command's pid is also its pgid, so one signal
 * reaches the command and everything it started that did not leave the group. Signals go through libc
 * {@code kill(-pgid, sig)}: the JDK can signal one pid with TERM or KILL only, ccx needs STOP and CONT too, and
 * needs to reach grandchildren.
 *
 * @param pgid the group id (equal to the leader's pid)
 */
public record ProcessGroup(long pgid) {

    /**
     * Sends {@code signal} to every member of the group.
     *
     * @return {@code false} when the group no longer has members (ESRCH)
     * @throws IllegalStateException for any other failure, such as EPERM
     */
    public boolean signal(Signal signal) {
        if (Libc.kill(-Math.toIntExact(pgid), signal.number()) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == Libc.ESRCH) {
            return false;
        }
        throw new IllegalStateException("kill(-" + pgid + ", " + signal + "): " + Libc.strerror(errno));
    }

    /** Whether any member of the group is still running; zombies waiting to be reaped do not count. */
    public boolean isAlive() {
        return signal(Signal.NONE) && ProcStat.hasLiveMember(pgid);
    }
}
