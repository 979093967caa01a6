// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.cluster;

/**
 * The Lua scripts that change an execution's state in Redis: each one is atomic, so two nodes never both win a
 * claim, a withdrawal, or the end of an execution. The states: {@code placing} (no worker yet), {@code running}
 * (a worker claimed it and holds its lease), {@code ended}.
 */
final class Scripts {
    private Scripts() {
    }

    /** Worker: claims placement {@code attempt} of an execution. KEYS exec, lease, running; ARGV node, attempt, px,
     *  id. */
    static final String CLAIM = """
            if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] or redis.call('HEXISTS', KEYS[1], 'worker') == 1
              or redis.call('HGET', KEYS[1], 'state') ~= 'placing' then return 0 end
            redis.call('HSET', KEYS[1], 'worker', ARGV[1], 'state', 'running')
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
            redis.call('SADD', KEYS[3], ARGV[4])
            return 1
            """;

    /** Worker: gives a claim back (the spawn failed). KEYS exec, lease, running; ARGV node, id. */
    static final String UNCLAIM = """
            if redis.call('HGET', KEYS[1], 'worker') == ARGV[1] then
              redis.call('HDEL', KEYS[1], 'worker')
              redis.call('HSET', KEYS[1], 'state', 'placing')
            end
            redis.call('DEL', KEYS[2])
            redis.call('SREM', KEYS[3], ARGV[2])
            return 1
            """;

    /**
     * Gateway: a worker did not answer in time. Returns the worker if one claimed the attempt (it runs), else makes
     * the attempt void (no worker can claim it any more) and returns nil. KEYS exec.
     */
    static final String WITHDRAW = """
            local w = redis.call('HGET', KEYS[1], 'worker')
            if w then return w end
            redis.call('HINCRBY', KEYS[1], 'attempt', 1)
            return false
            """;

    /** Worker: renews the lease while the execution is its own and running. KEYS exec, lease; ARGV node, px. */
    static final String RENEW = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'running' or redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1]
              then return 0 end
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            return 1
            """;

    /**
     * Worker: its execution ended and the stream holds all of it. KEYS exec, lease, running, log; ARGV node, id,
     * completed params, retain seconds.
     */
    static final String ENDED = """
            if redis.call('HGET', KEYS[1], 'worker') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'running'
              then redis.call('HSET', KEYS[1], 'state', 'ended', 'completed', ARGV[3]) end
            redis.call('DEL', KEYS[2])
            redis.call('SREM', KEYS[3], ARGV[2])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('EXPIRE', KEYS[4], ARGV[4])
            return 1
            """;

    /**
     * Reaper: ends a lost worker's execution whose lease is gone, with its last frame. Returns 1 when it ended it,
     * 0 when it was not to be ended (still leased, or not running). KEYS exec, lease, running, log; ARGV id,
     * frame, completed params, retain seconds, seq.
     */
    static final String REAP = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            if redis.call('HGET', KEYS[1], 'state') ~= 'running' then
              redis.call('SREM', KEYS[3], ARGV[1])
              return 0
            end
            redis.call('XADD', KEYS[4], '*', 'f', ARGV[5], 'l', ARGV[5], 'd', ARGV[2])
            redis.call('HSET', KEYS[1], 'state', 'ended', 'completed', ARGV[3])
            redis.call('SREM', KEYS[3], ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('EXPIRE', KEYS[4], ARGV[4])
            return 1
            """;

    /**
     * Reaper: puts a lost worker's execution that may be restarted back to placing. Returns the new attempt, 0 when
     * its restarts are used up, -1 when it is not to be touched. KEYS exec, lease, running; ARGV id, max restarts.
     */
    static final String REQUEUE = """
            if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
              return -1 end
            if tonumber(redis.call('HGET', KEYS[1], 'restarts') or '0') >= tonumber(ARGV[2]) then return 0 end
            redis.call('HINCRBY', KEYS[1], 'restarts', 1)
            redis.call('HDEL', KEYS[1], 'worker')
            redis.call('HSET', KEYS[1], 'state', 'placing')
            redis.call('SREM', KEYS[3], ARGV[1])
            return redis.call('HINCRBY', KEYS[1], 'attempt', 1)
            """;
}
