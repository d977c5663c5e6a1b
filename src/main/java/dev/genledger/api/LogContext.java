package dev.genledger.api;

import jakarta.inject.Inject;

import io.quarkus.security.identity.SecurityIdentity;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Puts the caller's token subject (the user id for the {@code user} role, the client for
 * {@code service} and {@code admin}) in the logging context as {@code userId}. Never the token.
 */
public class LogContext {

    public static final String USER_ID = "userId";
    public static final String SQL_STATE = "sqlState";

    @Inject
    SecurityIdentity identity;

    @ServerRequestFilter
    void tagCaller() {
        MDC.remove(USER_ID);
        MDC.remove(SQL_STATE);
        try {
            if (!identity.isAnonymous()) {
                MDC.put(USER_ID, String.valueOf(Caller.subject(identity)));
            }
        } catch (RuntimeException authenticationFailed) {
            // an invalid token: the security check answers 401 later, without a user in the logs
        }
    }
}
