// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.server.observe.Refusal;
import dev.ccx.server.observe.ServerObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: the Prometheus exposition, behind the same token as the WebSocket. {@code HEAD} answers
 * 200 or 401 without scraping, so a page can check a token cheaply. Runs on a virtual thread (the scrape reads
 * the JVM's beans), never on a selector.
 */
final class MetricsHandler extends Handler.Abstract {
    private final UpgradeGuard guard;
    private final WsTransport.Scrape scrape;
    private final ServerObserver observer;

    MetricsHandler(UpgradeGuard guard, WsTransport.Scrape scrape, ServerObserver observer) {
        this.guard = guard;
        this.scrape = scrape;
        this.observer = observer;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        if (!head && !HttpMethod.GET.is(request.getMethod())) {
            Response.writeError(request, response, callback, 405);
            return true;
        }
        if (!guard.tokenAccepted(request)) {
            observer.refused(new Refusal("metrics", "token", false, 401, UpgradeGuard.TOKEN_REQUIRED, null,
                    UpgradeGuard.remote(request), Map.of("method", request.getMethod(), "path", "/metrics")));
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            Response.writeError(request, response, callback, 401, UpgradeGuard.TOKEN_REQUIRED);
            return true;
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (head) {
            response.setStatus(200);
            callback.succeeded();
            return true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        String contentType = scrape.write(request.getHeaders().get(HttpHeader.ACCEPT), body);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(body.toByteArray()), callback);
        return true;
    }
}
