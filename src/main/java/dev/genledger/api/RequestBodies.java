package dev.genledger.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads API request bodies on the event loop, before a worker thread takes the request. Otherwise
 * a blocking endpoint reads its small JSON body through a stream that parks the worker until the
 * event loop hands it the bytes: two thread switches per request for a few dozen bytes.
 */
@ApplicationScoped
public class RequestBodies {

    void install(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        router.route().pathRegex("/v1/.*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .order(Integer.MIN_VALUE + 1)
                .handler(BodyHandler.create(false).setBodyLimit(limit.asLongValue()))
                .handler(RequestBodies::emptyWhenAbsent)
                .failureHandler(RequestBodies::tooLarge);
    }

    // A request without a single body byte leaves no body at all, and the REST layer would then
    // wait to read one from a request that has already been consumed.
    private static void emptyWhenAbsent(RoutingContext ctx) {
        if (ctx.body().buffer() == null) {
            ctx.setBody(Buffer.buffer());
        }
        ctx.next();
    }

    private static void tooLarge(RoutingContext ctx) {
        if (ctx.statusCode() != 413) {
            ctx.next();
            return;
        }
        Problems.send(ctx, 413, "payload-too-large", "Payload Too Large",
                "the request body is larger than this service accepts");
    }
}
