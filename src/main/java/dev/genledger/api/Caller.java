package dev.genledger.api;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling. {@code service} and {@code admin} may act on any user; a {@code user} only on
 * themselves (their token's subject is their user id), and anything else looks absent to them.
 * The caller is named by the token's {@code sub} claim alone: {@code upn} and
 * {@code preferred_username}, which the principal's name prefers, are whatever the issuer put
 * there and never decide whose data a token reaches.
 */
@RequestScoped
public class Caller {

    public static final String ADMIN = "admin";
    public static final String SERVICE = "service";
    public static final String USER = "user";

    @Inject
    SecurityIdentity identity;

    public boolean isPrivileged() {
        return identity.hasRole(ADMIN) || identity.hasRole(SERVICE);
    }

    /** Throws 404 unless the caller may see this user's data. */
    public void requireAccessTo(UUID userId) {
        if (!mayAccess(userId)) {
            throw ApiProblem.notFound("user " + userId);
        }
    }

    public boolean mayAccess(UUID userId) {
        return isPrivileged() || userId.toString().equals(subject(identity));
    }

    /** How the caller is recorded in the ledger and the audit trail: role and token subject. */
    public String actor() {
        return roleOf(identity) + ":" + subject(identity);
    }

    /** The caller's strongest role: admin, then service, then user. */
    public static String roleOf(SecurityIdentity identity) {
        return identity.hasRole(ADMIN) ? ADMIN : identity.hasRole(SERVICE) ? SERVICE : USER;
    }

    /** The token's {@code sub}; null for an anonymous caller (the token itself must carry one). */
    public static String subject(SecurityIdentity identity) {
        return identity.getPrincipal() instanceof JsonWebToken token ? token.getSubject() : null;
    }
}
