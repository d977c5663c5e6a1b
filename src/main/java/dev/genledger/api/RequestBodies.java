package dev.genledger.api;

import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Reads API request bodies on the event loop, before a worker thread takes the request. Otherwise
 * a blocking endpoint reads its small JSON body through a stream that parks the worker until the
 * event loop hands it the bytes: two thread switches per request for a few dozen bytes.
 *
 * <p>Because this runs before authentication, it admits a body only after the caller's bearer token
 * verified (the parser remembers verified tokens, so the check costs nothing more later), within
 * the route's limit ({@link BodyLimits}), and while the process-wide budget of buffered bytes has
 * room. A refused request is answered without its body being kept.
 */
@ApplicationScoped
public class RequestBodies {

    private static final Pattern PUBLIC = Pattern.compile("/v1/public/.*");
    private static final Pattern CONTENT = Pattern.compile(
            "/v1/(users/[^/]+/quizzes|quizzes/[^/]+|quizzes/[^/]+/insights/[^/]+|jobs/[^/]+/succeed)/?");
    private static final String RETRY_AFTER_SECONDS = "1";

    private record Intake(long limit, BodyHandler reader) {
        static Intake of(long limit) {
            return new Intake(limit, BodyHandler.create(false).setBodyLimit(limit));
        }
    }

    @Inject
    JWTParser tokens;

    @Inject
    BodyLimits limits;

    @Inject
    MeterRegistry registry;

    private Intake contentIntake;
    private Intake publicIntake;
    private Intake defaultIntake;
    private BufferedBodies budget;

    void install(@Observes Router router) {
        contentIntake = Intake.of(limits.contentLimit().asLongValue());
        publicIntake = Intake.of(limits.publicLimit().asLongValue());
        defaultIntake = Intake.of(limits.limit().asLongValue());
        budget = new BufferedBodies(limits.maxBuffered().asLongValue());
        router.route().pathRegex("/v1/.*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .order(Integer.MIN_VALUE + 1)
                .handler(this::admit)
                .handler(RequestBodies::emptyWhenAbsent)
                .failureHandler(RequestBodies::tooLarge);
    }

    private void admit(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean open = PUBLIC.matcher(path).matches();
        if (!open && !bearerVerifies(ctx.request())) {
            refuse(ctx, 401, "unauthorized", "Unauthorized", "a valid bearer token is required");
            return;
        }
        Intake intake = open ? publicIntake : CONTENT.matcher(path).matches() ? contentIntake : defaultIntake;
        long declared;
        try {
            declared = declaredLength(ctx.request());
        } catch (NumberFormatException e) {
            refuse(ctx, 400, "malformed-request", "Bad Request", "the Content-Length header is not a number");
            return;
        }
        if (declared > intake.limit()) {
            refuse(ctx, 413, "payload-too-large", "Payload Too Large", tooLargeDetail(intake.limit()));
            return;
        }
        // A chunked body declares nothing, so it may take up to the route's limit.
        long reserve = declared < 0 ? intake.limit() : declared;
        if (reserve > 0) {
            if (!budget.tryReserve(reserve)) {
                registry.counter("genledger.http.unavailable", "cause", "request-bodies").increment();
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
                refuse(ctx, 503, "service-unavailable", "Service unavailable",
                        "the service is reading too many request bodies at once; retry shortly",
                        Map.of("cause", "request-bodies"));
                return;
            }
            ctx.addEndHandler(done -> budget.release(reserve));
        }
        intake.reader().handle(ctx);
    }

    private boolean bearerVerifies(HttpServerRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        try {
            tokens.parse(authorization.substring(7).trim());
            return true;
        } catch (ParseException e) {
            return false;
        }
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null ? 0 : -1;
        }
        long declared = Long.parseLong(length.trim());
        if (declared < 0) {
            throw new NumberFormatException(length);
        }
        return declared;
    }

    private static void refuse(RoutingContext ctx, int status, String type, String title, String detail) {
        refuse(ctx, status, type, title, detail, Map.of());
    }

    // The rest of the body is read and dropped, not kept: the client can finish sending and read
    // the answer, where closing the connection under it would lose the answer to a reset.
    private static void refuse(RoutingContext ctx, int status, String type, String title, String detail,
            Map<String, Object> extensions) {
        HttpServerRequest request = ctx.request();
        if (!request.isEnded()) {
            request.handler(dropped -> {
            });
            request.resume();
        }
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        Problems.send(ctx, status, type, title, detail, extensions);
    }

    private static String tooLargeDetail(long limit) {
        return "the request body is larger than this route accepts (" + limit + " bytes)";
    }

    // A request without a single body byte leaves no body at all, and the REST layer would then
    // wait to read one from a request that has already been consumed.
    private static void emptyWhenAbsent(RoutingContext ctx) {
        if (ctx.body().buffer() == null) {
            ctx.setBody(Buffer.buffer());
        }
        ctx.next();
    }

    // A chunked body that grows past the route's limit while it streams.
    private static void tooLarge(RoutingContext ctx) {
        if (ctx.statusCode() != 413) {
            ctx.next();
            return;
        }
        Problems.send(ctx, 413, "payload-too-large", "Payload Too Large",
                "the request body is larger than this route accepts");
    }
}
