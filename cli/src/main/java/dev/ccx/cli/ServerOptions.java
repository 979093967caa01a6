// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Option;

/** The options every client subcommand shares: where the server is and how to authenticate. */
final class ServerOptions {
    @Option(names = "--url", defaultValue = "${env:CCX_URL:-ws://127.0.0.1:8003/ws/mcp}",
            description = "Server URL (env CCX_URL; default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--token", defaultValue = "${env:CCX_TOKEN}", description = "Token (env CCX_TOKEN).")
    String token;

    @Option(names = "--also-url", split = ",", defaultValue = "${env:CCX_ALSO_URLS}", description = "Another node "
            + "of the same ccx cluster; repeatable or comma-separated (env CCX_ALSO_URLS). When the connection drops "
            + "while kept executions are followed, the client reconnects to --url or these, in turn.")
    java.util.List<URI> alsoUrls;

    /** Connects; the caller closes the client. */
    CcxClient connect() {
        return CcxClient.connect(url, options());
    }

    /** The client options these flags ask for. */
    ClientOptions options() {
        return ClientOptions.builder().token(token).alternates(alsoUrls == null ? java.util.List.of() : alsoUrls)
                .build();
    }

    /**
     * The server's HTTP URI for {@code path}: the HTTP endpoints share the WebSocket's listener, so the same host
     * and port, with {@code ws} read as {@code http} and {@code wss} as {@code https}. The query is dropped: a
     * {@code ?token=} there is for the upgrade and must not travel to other paths.
     *
     * @throws IllegalArgumentException the URL names no host
     */
    URI http(String path) {
        if (url.getHost() == null) {
            throw new IllegalArgumentException("--url " + url + " names no host; expected ws://HOST:PORT/ws/mcp");
        }
        String scheme = url.getScheme();
        boolean secure = "wss".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
        try {
            return new URI(secure ? "https" : "http", null, url.getHost(), url.getPort(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no HTTP URI for " + path + " on " + url + ": " + e.getMessage(), e);
        }
    }

    /** The message for a server that cannot be reached. */
    String unreachable(String command, Exception e) {
        return unreachable(command, e.getMessage());
    }

    /** The message for a server that cannot be reached, for {@code why}. */
    String unreachable(String command, String why) {
        return "ccx " + command + ": cannot reach a ccx server at " + url + ": " + why
                + "\nccx " + command + ": start one with ./ccx serve, or point --url (CCX_URL) at a running one";
    }
}
