package dev.genledger.api;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifying an RS256 signature costs more CPU than the spend it authorizes, and a client sends
 * the same token on every request until it expires. A token that passed verification is
 * remembered, keyed by its exact text (so only the very bytes that were verified are trusted
 * again), until its expiry or for {@link #REMEMBER} at most; then it is verified again.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokens extends DefaultJWTParser {

    static final Duration REMEMBER = Duration.ofMinutes(5);
    static final int CAPACITY = 10_000;

    private record Verified(JsonWebToken token, long untilEpochSecond) {
    }

    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        long now = Instant.now().getEpochSecond();
        Verified known = verified.get(token);
        if (known != null) {
            if (now < known.untilEpochSecond()) {
                return known.token();
            }
            verified.remove(token, known);
        }
        JsonWebToken parsed = super.parse(token);
        long until = Math.min(parsed.getExpirationTime(), now + REMEMBER.toSeconds());
        if (verified.size() >= CAPACITY) {
            // Many distinct live tokens: forgetting them all costs one verification each, and
            // keeps the map bounded without tracking use.
            verified.clear();
        }
        verified.put(token, new Verified(parsed, until));
        return parsed;
    }
}
