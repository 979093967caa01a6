// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The dashboard: {@code GET /} is its page, {@code /dashboard/app.js} and {@code /dashboard/app.css} its script and
 * style, read from the jar once. The page is a WebSocket client like any other and gets no data over HTTP, so it is
 * served without a token. Its Content-Security-Policy allows only this origin's scripts and styles and no inline
 * code: even if output ever reached the page as HTML, nothing in it could run. 404 for every other path.
 */
final class DashboardHandler extends Handler.Abstract.NonBlocking {
    private static final String BASE = "/dev/ccx/server/dashboard/";
    private static final String CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private final Map<String, Asset> assets = Map.of(
            "/", load("index.html", "text/html; charset=utf-8"),
            "/dashboard/app.js", load("app.js", "text/javascript; charset=utf-8"),
            "/dashboard/app.css", load("app.css", "text/css; charset=utf-8"));

    private record Asset(byte[] bytes, String type) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Asset asset = assets.get(request.getHttpURI().getPath());
        if (asset == null) {
            Response.writeError(request, response, callback, 404, "Not found; the dashboard is at /, the WebSocket at "
                    + "ws://HOST:PORT" + Wire.PATH + ", health at /health, metrics at /metrics");
            return true;
        }
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        if (!head && !HttpMethod.GET.is(request.getMethod())) {
            Response.writeError(request, response, callback, 405);
            return true;
        }
        var headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, asset.type());
        headers.put("Content-Security-Policy", CSP);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        headers.put(HttpHeader.CONTENT_LENGTH, asset.bytes().length);
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(asset.bytes()), callback);
        return true;
    }

    private static Asset load(String name, String type) {
        try (InputStream in = DashboardHandler.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from the jar");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
