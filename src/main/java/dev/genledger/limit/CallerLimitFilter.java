package dev.genledger.limit;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.genledger.api.Caller;
import dev.genledger.api.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Applies the per-caller limits to every API request once its token is verified, on the event loop
 * before a worker thread or a database connection is taken: a refused request costs a map lookup
 * and a small answer. Token callers are keyed by subject with their role's budget (admin, then
 * service, then user); the public routes by client IP (the forwarded one only where
 * {@code quarkus.http.proxy.*} trusts the proxy). A request without a valid token is not limited
 * here: the security check answers it 401 first.
 */
public class CallerLimitFilter {

    private static final String PUBLIC_PATHS = "/v1/public/";

    @Inject
    LimitsConfig config;

    @Inject
    CallerLimits limits;

    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    MeterRegistry registry;

    // Non-blocking filters must run before all others: at the authentication priority, first.
    @ServerRequestFilter(nonBlocking = true, priority = Priorities.AUTHENTICATION)
    public Uni<Response> limit(RoutingContext ctx) {
        if (!config.enabled()) {
            return Uni.createFrom().nullItem();
        }
        if (ctx.normalizedPath().startsWith(PUBLIC_PATHS)) {
            SocketAddress peer = ctx.request().remoteAddress();
            return Uni.createFrom().item(admit(ctx, new CallerLimits.Policy("public", config.anonymous()),
                    peer == null ? "unknown" : peer.hostAddress()));
        }
        return identities.getDeferredIdentity().map(identity -> identity.isAnonymous() ? null
                : admit(ctx, policyOf(identity), Caller.subject(identity)));
    }

    private Response admit(RoutingContext ctx, CallerLimits.Policy policy, String caller) {
        ctx.response().putHeader(RateLimitHeaders.POLICY, RateLimitHeaders.policy(policy));
        CallerLimits.Admission admission = limits.admit(policy, caller);
        if (admission instanceof CallerLimits.Admitted admitted) {
            ctx.response().putHeader(RateLimitHeaders.LIMIT,
                    RateLimitHeaders.remaining(policy.name(), admitted.remaining(), admitted.resetSeconds()));
            ctx.addEndHandler(ended -> admitted.release().run());
            return null;
        }
        CallerLimits.Refused refused = (CallerLimits.Refused) admission;
        registry.counter("genledger.http.limited", "policy", refused.violated()).increment();
        ctx.response().putHeader(RateLimitHeaders.LIMIT,
                RateLimitHeaders.remaining(refused.violated(), 0, refused.retryAfterSeconds()));
        String detail = refused.violated().equals(policy.name())
                ? "more than " + policy.budget().requestsPerSecond() + " requests per second; retry after the Retry-After delay"
                : "more than " + policy.budget().inFlight() + " requests at once; wait for one to finish";
        Response problem = Problems.response(429, "rate-limited", "Too Many Requests", detail, ctx.normalizedPath(),
                Map.of("violated-policies", List.of(refused.violated())));
        return Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, refused.retryAfterSeconds()).build();
    }

    private CallerLimits.Policy policyOf(SecurityIdentity identity) {
        String role = Caller.roleOf(identity);
        return new CallerLimits.Policy(role, switch (role) {
            case Caller.ADMIN -> config.admin();
            case Caller.SERVICE -> config.service();
            default -> config.user();
        });
    }
}
