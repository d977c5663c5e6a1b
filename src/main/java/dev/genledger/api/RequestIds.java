package dev.genledger.api;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.MDC;

/**
 * Gives every API request an id (the caller's {@code X-Request-Id} when it is sane, else a new
 * one), echoes it, and puts it in the logging context so every log line of the request carries
 * it. Also answers unknown paths with a problem instead of the default page.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(RequestIds::tag);
        router.route().order(Integer.MAX_VALUE).handler(RequestIds::notFound);
    }

    private static void tag(RoutingContext ctx) {
        String given = ctx.request().getHeader(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        MDC.put(MDC_KEY, id);
        ctx.response().putHeader(HEADER, id);
        ctx.next();
    }

    private static void notFound(RoutingContext ctx) {
        Problems.send(ctx, 404, "not-found", "Not Found", "no such resource");
    }
}
