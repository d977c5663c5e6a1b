package dev.genledger.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.MDC;

/** Builds problem+json responses (RFC 9457) with a stable type URI and the request id. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://genledger.dev/problems/";

    private Problems() {
    }

    public static Response response(ApiProblem p, String instance) {
        return response(p.status(), p.type(), p.title(), p.getMessage(), instance, p.extensions());
    }

    public static Response response(int status, String type, String title, String detail, String instance,
            Map<String, Object> extensions) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(body(status, type, title, detail, instance, extensions)).build();
    }

    /** Ends a Vert.x route with a problem, for answers given before the REST layer. */
    public static void send(RoutingContext ctx, int status, String type, String title, String detail) {
        send(ctx, status, type, title, detail, Map.of());
    }

    public static void send(RoutingContext ctx, int status, String type, String title, String detail,
            Map<String, Object> extensions) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE)
                .end(new JsonObject(body(status, type, title, detail, ctx.request().path(), extensions)).encode());
    }

    public static Map<String, Object> body(int status, String type, String title, String detail, String instance,
            Map<String, Object> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + type);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        if (instance != null) {
            body.put("instance", instance);
        }
        Object requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        // an extension never replaces a member RFC 9457 defines (a job's "status" once did)
        extensions.forEach(body::putIfAbsent);
        return body;
    }
}
