// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Decides whether a WebSocket upgrade request may proceed.
 *
 * <p>Origin: browsers always send {@code Origin} on a WebSocket upgrade and other clients usually send none, so a
 * request with an Origin that is not explicitly allowed comes from a web page and is refused; otherwise any page a
 * user visits could drive the local server. Token: when one is configured, it must be presented as
 * {@code Authorization: Bearer TOKEN} or as the {@code token} query parameter (for clients that cannot set headers),
 * and it is compared in constant time.
 */
final class UpgradeGuard {
    private final Set<String> allowedOrigins;
    private final byte[] token;

    /**
     * @param allowedOrigins origins allowed to connect, exactly as browsers send them; {@code *} allows any
     * @param token          the required token, or {@code null} for none
     */
    UpgradeGuard(Set<String> allowedOrigins, String token) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** Why the request is refused, or {@code null} when it may upgrade. */
    Refusal check(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !allowedOrigins.contains("*") && !allowedOrigins.contains(origin)) {
            return new Refusal(403, "Origin " + origin + " is not allowed (see --allowed-origin)");
        }
        if (token != null && !tokenMatches(presentedToken(request))) {
            return new Refusal(401, "A valid token is required (Authorization: Bearer TOKEN or ?token=TOKEN)");
        }
        return null;
    }

    private static String presentedToken(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).strip();
        }
        return Request.extractQueryParameters(request).getValue("token");
    }

    private boolean tokenMatches(String presented) {
        return presented != null
                && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param status  HTTP status to answer with
     * @param message why, in the response body
     */
    record Refusal(int status, String message) {
    }
}
