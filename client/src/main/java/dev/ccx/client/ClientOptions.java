// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * How a {@link CcxClient} connects and how long it waits. Immutable; build one with {@link #builder()} or take
 * {@link #defaults()}.
 *
 * @param connectTimeout    bound on opening the WebSocket and receiving {@code connected} (default 10 s)
 * @param requestTimeout    bound on waiting for the response to one request (default 30 s)
 * @param closeTimeout      bound on waiting for a canceled execution to report its end, in
 *                          {@link CcxClient#close()} and after a client-side {@link RunningCommand#await} timeout
 *                          (default 5 s; the server's kill grace is 2 s by default)
 * @param token             sent as {@code Authorization: Bearer TOKEN} on the upgrade request, or {@code null}
 * @param sslContext        TLS context for {@code wss://} URIs, or {@code null} for the JDK's default
 * @param maxBufferedOutput characters of stdout plus stderr kept per execution for {@link CommandResult}; output
 *                          beyond it still reaches listeners but is cut from the result, which then says
 *                          {@code outputCut} (default 64 Mi characters)
 * @param callbackExecutor  runs {@link OutputListener} calls, serialised per execution; {@code null} (the default)
 *                          means a virtual thread per execution
 * @param reconnectTimeout  how long a client whose connection dropped while it followed kept executions tries to
 *                          connect again (with back-off from 100 ms to 2 s) before it gives up (default 60 s)
 * @param maxQueuedCallbacks listener calls queued (all executions together) before the client stops reading the
 *                          socket until they are down to half (default 10,000): slow listeners hold the server's
 *                          output back instead of filling the client's memory
 * @param alternates        other nodes of the same ccx cluster: a reconnection tries the client's own URI, then these,
 *                          in turn, so kept executions are followed on through another node when the first is gone
 *                          (default none)
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration closeTimeout, String token,
                            SSLContext sslContext, int maxBufferedOutput, Executor callbackExecutor,
                            Duration reconnectTimeout, int maxQueuedCallbacks, List<URI> alternates) {

    /** Default {@link #maxBufferedOutput()}: 64 Mi characters. */
    public static final int DEFAULT_MAX_BUFFERED_OUTPUT = 64 * 1024 * 1024;

    /** Checks every field; a bad value fails here, naming the field, instead of later. */
    public ClientOptions {
        alternates = alternates == null ? List.of() : List.copyOf(alternates);
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        positive("closeTimeout", closeTimeout);
        positive("reconnectTimeout", reconnectTimeout);
        if (maxQueuedCallbacks < 2) {
            throw new IllegalArgumentException("maxQueuedCallbacks must be at least 2, got " + maxQueuedCallbacks);
        }
        if (maxBufferedOutput < 1024) {
            throw new IllegalArgumentException("maxBufferedOutput must be at least 1024 characters, got "
                    + maxBufferedOutput);
        }
        if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("token must be printable ASCII without spaces");
        }
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** The defaults: 10 s connect, 30 s request, 5 s close, no token, default TLS, 64 Mi characters. */
    public static ClientOptions defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().connectTimeout(connectTimeout).requestTimeout(requestTimeout).closeTimeout(closeTimeout)
                .token(token).sslContext(sslContext).maxBufferedOutput(maxBufferedOutput)
                .callbackExecutor(callbackExecutor).reconnectTimeout(reconnectTimeout)
                .maxQueuedCallbacks(maxQueuedCallbacks).alternates(alternates);
    }

    /** Builds {@link ClientOptions}; not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private String token;
        private SSLContext sslContext;
        private int maxBufferedOutput = DEFAULT_MAX_BUFFERED_OUTPUT;
        private Executor callbackExecutor;
        private Duration reconnectTimeout = Duration.ofSeconds(60);
        private int maxQueuedCallbacks = 10_000;
        private List<URI> alternates = List.of();

        private Builder() {
        }

        /** See {@link ClientOptions#reconnectTimeout()}. */
        public Builder reconnectTimeout(Duration v) {
            reconnectTimeout = v;
            return this;
        }

        /** See {@link ClientOptions#alternates()}. */
        public Builder alternates(List<URI> v) {
            alternates = v;
            return this;
        }

        /** See {@link ClientOptions#maxQueuedCallbacks()}. */
        public Builder maxQueuedCallbacks(int v) {
            maxQueuedCallbacks = v;
            return this;
        }

        /** See {@link ClientOptions#connectTimeout()}. */
        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        /** See {@link ClientOptions#requestTimeout()}. */
        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        /** See {@link ClientOptions#closeTimeout()}. */
        public Builder closeTimeout(Duration v) {
            closeTimeout = v;
            return this;
        }

        /** See {@link ClientOptions#token()}. */
        public Builder token(String v) {
            token = v;
            return this;
        }

        /** See {@link ClientOptions#sslContext()}. */
        public Builder sslContext(SSLContext v) {
            sslContext = v;
            return this;
        }

        /** See {@link ClientOptions#maxBufferedOutput()}. */
        public Builder maxBufferedOutput(int v) {
            maxBufferedOutput = v;
            return this;
        }

        /** See {@link ClientOptions#callbackExecutor()}. */
        public Builder callbackExecutor(Executor v) {
            callbackExecutor = v;
            return this;
        }

        /** The options; throws {@link IllegalArgumentException} naming a bad field. */
        public ClientOptions build() {
            return new ClientOptions(connectTimeout, requestTimeout, closeTimeout, token, sslContext,
                    maxBufferedOutput, callbackExecutor, reconnectTimeout, maxQueuedCallbacks, alternates);
        }
    }
}
