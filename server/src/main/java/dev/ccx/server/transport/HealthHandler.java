// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.transport;

import dev.ccx.protocol.Wire;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /health} (a status document) and {@code GET /healthz} (a liveness probe). */
final class HealthHandler extends Handler.Abstract.NonBlocking {
    private final Supplier<Object> health;

    HealthHandler(Supplier<Object> health) {
        this.health = health;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            Response.writeError(request, response, callback, 405);
            return true;
        }
        Object body = path.equals("/health") ? health.get() : Map.of("status", "ok");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, Wire.mapper().writeValueAsString(body), callback);
        return true;
    }
}
