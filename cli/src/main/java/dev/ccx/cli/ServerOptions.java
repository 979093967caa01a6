// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.CcxClient;
import dev.ccx.client.ClientOptions;
import java.net.URI;
import picocli.CommandLine.Option;

/** The options every client subcommand shares: where the server is and how to authenticate. */
final class ServerOptions {
    @Option(names = "--url", defaultValue = "${env:CCX_URL:-ws://127.0.0.1:8003/ws/mcp}",
            description = "Server URL (env CCX_URL; default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--token", defaultValue = "${env:CCX_TOKEN}", description = "Token (env CCX_TOKEN).")
    String token;

    /** Connects; the caller closes the client. */
    CcxClient connect() {
        return CcxClient.connect(url, options());
    }

    /** The client options these flags ask for. */
    ClientOptions options() {
        return ClientOptions.builder().token(token).build();
    }

    /** The message for a server that cannot be reached. */
    String unreachable(String command, Exception e) {
        return "ccx " + command + ": cannot reach a ccx server at " + url + ": " + e.getMessage()
                + "\nccx " + command + ": start one with ./ccx serve, or point --url (CCX_URL) at a running one";
    }
}
