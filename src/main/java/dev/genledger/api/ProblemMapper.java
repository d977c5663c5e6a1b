package dev.genledger.api;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.genledger.db.ConstraintViolation;
import dev.genledger.db.FailureClassifier;
import dev.genledger.db.TransientDatabaseException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place that turns exceptions into problem+json responses. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private static final String DUPLICATE_FIELD = "Duplicate field ";

    private final MeterRegistry registry;

    /** What the features answer for their own constraints (see {@link ConstraintProblems}). */
    private final Map<String, ApiProblem> constraints = new HashMap<>();

    public ProblemMapper(MeterRegistry registry, @Any Instance<ConstraintProblems> features) {
        this.registry = registry;
        features.forEach(f -> constraints.putAll(f.byConstraint()));
    }

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, UriInfo uri) {
        return Problems.response(problem, path(uri));
    }

    @ServerExceptionMapper
    public Response constraint(ConstraintViolation violation, UriInfo uri) {
        ApiProblem known = violation.constraint() == null ? null : constraints.get(violation.constraint());
        if (known != null) {
            return Problems.response(known, path(uri));
        }
        putSqlState(violation.sqlState());
        LOG.infof("database refused a change: SQLState %s, constraint %s", violation.sqlState(), violation.constraint());
        ApiProblem problem = violation.dataError()
                ? ApiProblem.badRequest("invalid-data", "a value was refused by the database")
                : ApiProblem.conflict("conflict", "the change conflicts with the current state");
        return Problems.response(problem, path(uri));
    }

    @ServerExceptionMapper
    public Response transientFailure(TransientDatabaseException failure, UriInfo uri) {
        String cause = switch (failure.kind()) {
            case CONTENTION -> "database-contention";
            case POOL_EXHAUSTED -> "pool-exhausted";
            case TIMED_OUT -> "database-timeout";
            default -> "database-unavailable";
        };
        putSqlState(failure.sqlState());
        LOG.infof("database failure behind a 503: SQLState %s", failure.sqlState());
        String detail = failure.kind() == FailureClassifier.Kind.POOL_EXHAUSTED
                ? "all database connections are busy; retry shortly"
                : "the database is temporarily unavailable; retry shortly";
        return unavailable(cause, detail, failure.kind() == FailureClassifier.Kind.UNAVAILABLE ? 2 : 1, uri);
    }

    @ServerExceptionMapper
    public Response circuitOpen(CircuitBreakerOpenException e, UriInfo uri) {
        return unavailable("circuit-open", "the database is failing; requests are paused for a few seconds", 5, uri);
    }

    @ServerExceptionMapper
    public Response timeout(TimeoutException e, UriInfo uri) {
        return unavailable("timeout", "the request did not complete in time; retry shortly", 1, uri);
    }

    @ServerExceptionMapper
    public Response beanValidation(ConstraintViolationException e, UriInfo uri) {
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", field(v.getPropertyPath()), "message", v.getMessage()))
                .sorted(Comparator.comparing((Map<String, String> m) -> m.get("field")))
                .toList();
        return Problems.response(400, "validation", "Invalid request", "the request has invalid fields", path(uri),
                Map.of("errors", errors));
    }

    @ServerExceptionMapper({ JsonProcessingException.class, MismatchedInputException.class, InvalidFormatException.class })
    public Response malformedJson(JsonProcessingException e, UriInfo uri) {
        return Problems.response(ApiProblem.badRequest("malformed-request", describe(e)), path(uri));
    }

    @ServerExceptionMapper({ AuthenticationFailedException.class, UnauthorizedException.class })
    public Response unauthorized(RuntimeException e, UriInfo uri) {
        Response r = Problems.response(401, "unauthorized", "Unauthorized",
                "a valid bearer token is required", path(uri), Map.of());
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problems.response(ApiProblem.forbidden("your role may not do this"), path(uri));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, uri);
        }
        if (status >= 500) {
            return unexpected(e, uri);
        }
        Response.Status s = Response.Status.fromStatusCode(status);
        String title = s == null ? "Error" : s.getReasonPhrase();
        String type = switch (status) {
            case 400 -> "malformed-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 415 -> "send application/json";
            default -> title;
        };
        Response r = Problems.response(status, type, title, detail, path(uri), Map.of());
        Object allow = e.getResponse().getHeaders().getFirst(HttpHeaders.ALLOW);
        return allow == null ? r : Response.fromResponse(r).header(HttpHeaders.ALLOW, allow).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.error("unexpected failure", e);
        return Problems.response(500, "internal", "Internal error",
                "an unexpected error occurred; quote the request id when reporting it", path(uri), Map.of());
    }

    private Response unavailable(String cause, String detail, int retryAfterSeconds, UriInfo uri) {
        LOG.warnf("answering 503 (%s)", cause);
        registry.counter("genledger.http.unavailable", "cause", cause).increment();
        Response r = Problems.response(503, "service-unavailable", "Service unavailable", detail, path(uri),
                Map.of("cause", cause));
        return Response.fromResponse(r).header(HttpHeaders.RETRY_AFTER, retryAfterSeconds).build();
    }

    private static void putSqlState(String sqlState) {
        if (sqlState != null) {
            org.jboss.logging.MDC.put(LogContext.SQL_STATE, sqlState);
        }
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }

    /** A field name for a violation: what follows the method and parameter names. */
    private static String field(Path path) {
        StringBuilder field = new StringBuilder();
        int i = 0;
        for (Path.Node node : path) {
            if (i++ < 2) {
                continue;
            }
            if (!field.isEmpty()) {
                field.append('.');
            }
            field.append(node.getName());
        }
        if (field.isEmpty()) {
            // a violation on a parameter itself (e.g. a missing body or a query parameter)
            String last = null;
            for (Path.Node node : path) {
                last = node.getName();
            }
            return last;
        }
        return field.toString();
    }

    // Jackson's own messages name Java classes; say what is wrong in the caller's terms instead.
    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith(DUPLICATE_FIELD)) {
            // STRICT_DUPLICATE_DETECTION has no exception type of its own, only this message
            return "field " + e.getOriginalMessage().substring(DUPLICATE_FIELD.length()) + " appears more than once";
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder field = new StringBuilder();
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    field.append(field.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    field.append('[').append(ref.getIndex()).append(']');
                }
            }
            if (e instanceof InvalidFormatException f && f.getTargetType() == String.class) {
                return "field '" + field + "' is not well-formed Unicode";
            }
            return "field '" + field + "' has the wrong type or format";
        }
        return "the body is not valid JSON";
    }
}
