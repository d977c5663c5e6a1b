package dev.genledger.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How many bytes of request body the API reads into memory: per request, by route, and for all
 * requests together. Environment overrides: GENLEDGER_HTTP_BODIES_LIMIT and so on.
 */
@ConfigMapping(prefix = "genledger.http.bodies")
public interface BodyLimits {

    /** Every API route not named below: users, credits, jobs, transfers, admin. */
    @WithDefault("16K")
    MemorySize limit();

    /** Routes that carry generated content: creating or changing a quiz, putting an insight, a job delivering one. */
    @WithDefault("768K")
    MemorySize contentLimit();

    /** /v1/public/**, which anyone may call without a token. */
    @WithDefault("8K")
    MemorySize publicLimit();

    /** Bytes of request bodies held at once by the whole process; beyond it new bodies get a 503. */
    @WithDefault("16M")
    MemorySize maxBuffered();
}
