package dev.genledger.api;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import io.vertx.core.http.HttpServerRequest;

/**
 * The idempotency key of a write: the caller's {@code Idempotency-Key}, or one made up once per
 * request so that the service's own retries (a lost commit acknowledgement, say) can never apply a
 * write twice. Request scoped, so every retry of one request sees the same key.
 */
@RequestScoped
public class IdempotencyKey {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7E]{1,128}");

    @Inject
    HttpServerRequest request;

    private String value;

    public String value() {
        if (value == null) {
            String given = request.getHeader(HEADER);
            if (given == null) {
                value = "auto:" + UUID.randomUUID();
            } else if (VALID.matcher(given).matches()) {
                value = given;
            } else {
                throw ApiProblem.badRequest("invalid-idempotency-key",
                        HEADER + " must be 1 to 128 visible ASCII characters");
            }
        }
        return value;
    }
}
