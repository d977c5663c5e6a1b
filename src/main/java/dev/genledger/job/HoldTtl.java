package dev.genledger.job;

import java.time.Duration;
import java.time.format.DateTimeParseException;

import dev.genledger.api.ApiProblem;

/** The hold's time to live a create asks for: an ISO-8601 duration from a second to the configured maximum. */
final class HoldTtl {

    static final Duration MIN = Duration.ofSeconds(1);

    private HoldTtl() {
    }

    static Duration of(String requested, JobsConfig config) {
        if (requested == null) {
            return config.holdTtl();
        }
        Duration ttl;
        try {
            ttl = Duration.parse(requested);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalidField("holdTtl", "must be an ISO-8601 duration, such as PT5M");
        }
        if (ttl.compareTo(MIN) < 0 || ttl.compareTo(config.holdTtlMax()) > 0) {
            throw ApiProblem.invalidField("holdTtl", "must be from " + MIN + " to " + config.holdTtlMax());
        }
        return ttl;
    }
}
