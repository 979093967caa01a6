// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How ccx makes its Lettuce clients, the timing store's and the cluster's alike: reconnecting by itself, failing
 * every command at once while disconnected (nothing is buffered until a reconnect), every command bounded.
 */
public final class RedisClients {
    private RedisClients() {
    }

    /**
     * Client resources whose reconnect attempts back off to at most 1 s (Lettuce's default grows to 30 s), so that
     * Redis is seen back within about a second of its return. The caller shuts them down after its clients.
     */
    public static ClientResources resources() {
        return DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
    }

    /**
     * A client for {@code uri} on {@code resources}: auto-reconnecting, rejecting commands while disconnected, each
     * command timed out after {@code commandTimeout}, a connection attempt after {@code connectTimeout}.
     */
    public static RedisClient client(ClientResources resources, RedisURI uri, Duration commandTimeout,
                                     Duration connectTimeout) {
        RedisClient c = RedisClient.create(resources, uri);
        c.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                .build());
        return c;
    }
}
