package dev.genledger.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An outcome the API reports as an RFC 9457 problem: a status, a stable type slug, a title and
 * a detail fit for the caller. Never carries internals.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ApiProblem(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "not-found", "Not found", what + " does not exist");
    }

    public static ApiProblem badRequest(String type, String detail) {
        return new ApiProblem(400, type, "Bad request", detail);
    }

    /** A 400 {@code validation} problem naming one field, shaped like those of bean validation. */
    public static ApiProblem invalidField(String field, String message) {
        return new ApiProblem(400, "validation", "Invalid request", "the request has invalid fields")
                .with("errors", List.of(Map.of("field", field, "message", message)));
    }

    public static ApiProblem conflict(String type, String detail) {
        return new ApiProblem(409, type, "Conflict", detail);
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Forbidden", detail);
    }

    public static ApiProblem insufficientCredits(long available, long requested) {
        return new ApiProblem(402, "insufficient-credits", "Insufficient credits",
                "the user has " + available + " credits available, " + requested + " were requested")
                .with("available", available).with("requested", requested);
    }

    public static ApiProblem idempotencyKeyReused() {
        return new ApiProblem(422, "idempotency-key-reused", "Idempotency key reused",
                "this Idempotency-Key was already used for a different request");
    }

    public ApiProblem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
