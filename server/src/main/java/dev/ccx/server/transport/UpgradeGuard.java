// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
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
 * and it is compared in constant time. Several tokens may be configured: each is its own credentials, named by its
 * fingerprint (never the token itself), and a connection sees only the executions started with the same one.
 *
 * <p>The server's own pages (the dashboard) pass the Origin check: an Origin whose host and port are those the
 * request was sent to. That alone would let a DNS-rebinding page (a hostile name that resolves to 127.0.0.1) in,
 * so it counts only when the host is an IP address or {@code localhost}, names no other site can take over, or
 * when a token is required (a rebinding page does not have it).
 */
final class UpgradeGuard {
    private final Set<String> allowedOrigins;
    private final List<byte[]> tokens;

    /**
     * @param allowedOrigins origins allowed to connect, exactly as browsers send them; {@code *} allows any
     * @param tokens         the accepted tokens; empty for none required
     */
    UpgradeGuard(Set<String> allowedOrigins, List<String> tokens) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    static final String TOKEN_REQUIRED = "A valid token is required (Authorization: Bearer TOKEN or ?token=TOKEN)";

    /** Why the request is refused, or {@code null} when it may upgrade. */
    Refusal check(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !allowedOrigins.contains("*") && !allowedOrigins.contains(origin)
                && !sameOrigin(origin, request)) {
            return new Refusal(403, "origin", "Origin " + origin + " is not allowed (see --allowed-origin)");
        }
        if (!tokenAccepted(request)) {
            return new Refusal(401, "token", TOKEN_REQUIRED);
        }
        return null;
    }

    /** Whether the request carries one of the tokens, or none is required. */
    boolean tokenAccepted(Request request) {
        return tokens.isEmpty() || matching(presentedToken(request)) != null;
    }

    /** The client's address, {@code host:port}. */
    static String remote(Request request) {
        return JettyConnection.address(request.getConnectionMetaData().getRemoteSocketAddress());
    }

    /**
     * Whether a page served from another site could not have sent this request through DNS rebinding: a token is
     * required, or the request names the server by an IP address or {@code localhost}.
     */
    boolean rebindingSafe(Request request) {
        return !tokens.isEmpty() || isLocalName(Request.getServerName(request));
    }

    private boolean sameOrigin(String origin, Request request) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (host == null || !(request.isSecure() ? "https" : "http").equals(scheme)) {
            return false;
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String served = Request.getServerName(request);
        if (!host.equalsIgnoreCase(served) && !host.equalsIgnoreCase("[" + served + "]")) {
            return false;
        }
        if (port != Request.getServerPort(request)) {
            return false;
        }
        return !tokens.isEmpty() || isLocalName(host);
    }

    /** An IP address or {@code localhost}: names no other site can take over. */
    private static boolean isLocalName(String host) {
        return host.equalsIgnoreCase("localhost") || host.startsWith("[") || host.contains(":")
                || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static String presentedToken(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).strip();
        }
        return Request.extractQueryParameters(request).getValue("token");
    }

    /**
     * The credentials of a request that passed {@link #check}: {@code anonymous} when no token is required, else
     * {@code token:} and the first 12 hex digits of the SHA-256 of the token presented.
     */
    String principal(Request request) {
        byte[] token = tokens.isEmpty() ? null : matching(presentedToken(request));
        if (token == null) {
            return "anonymous";
        }
        try {
            return "token:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The configured token equal to {@code presented} (compared in constant time), or {@code null}. */
    private byte[] matching(String presented) {
        if (presented == null) {
            return null;
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        byte[] found = null;
        for (byte[] t : tokens) {
            if (MessageDigest.isEqual(t, p)) {
                found = t;
            }
        }
        return found;
    }

    /**
     * @param status  HTTP status to answer with
     * @param rule    which rule refused it: {@code origin} or {@code token}
     * @param message why, in the response body
     */
    record Refusal(int status, String rule, String message) {
    }
}
