// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

/**
 * A process group created by {@code setsid}: the command's pid is also its pgid, so one signal reaches the command
 * and everything it started that did not leave the group.
 *
 * @param pgid the group id (equal to the leader's pid)
 */
public record ProcessGroup(long pgid) {

    /**
     * Sends {@code signal} to every member of the group.
     *
     * @return {@code false} when the group no longer has members
     */
    public boolean signal(Signal signal) {
        return Posix.kill(-pgid, signal);
    }

    /** Whether any member of the group is still running; zombies waiting to be reaped do not count. */
    public boolean isAlive() {
        return signal(Signal.NONE) && ProcStat.hasLiveMember(pgid);
    }
}
