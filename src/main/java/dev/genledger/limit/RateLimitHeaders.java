package dev.genledger.limit;

/**
 * The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers-09
 * (structured-field lists): a rate policy of {@code q} requests per {@code w} = 1 second and an
 * in-flight policy in {@code concurrent-requests}; the remaining quota {@code r} and the seconds
 * {@code t} until it is whole again.
 */
final class RateLimitHeaders {

    static final String POLICY = "RateLimit-Policy";
    static final String LIMIT = "RateLimit";

    private RateLimitHeaders() {
    }

    static String policy(CallerLimits.Policy policy) {
        return "\"" + policy.name() + "\";q=" + policy.budget().requestsPerSecond() + ";w=1, \""
                + policy.inFlightName() + "\";q=" + policy.budget().inFlight() + ";qu=\"concurrent-requests\"";
    }

    static String remaining(String name, long remaining, long resetSeconds) {
        return "\"" + name + "\";r=" + remaining + ";t=" + resetSeconds;
    }
}
