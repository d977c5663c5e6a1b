package dev.genledger.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Set;
import java.util.UUID;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

/** Bearer tokens signed with the dev key pair that the test profile trusts. */
public final class Tokens {

    public static final String ISSUER = "https://genledger.dev/local";
    private static final PrivateKey KEY = load();

    private Tokens() {
    }

    public static String service() {
        return sign("chatbot-backend", "service");
    }

    public static String admin() {
        return sign("ops-admin", "admin");
    }

    public static String user(UUID userId) {
        return sign(userId.toString(), "user");
    }

    public static String sign(String subject, String... groups) {
        return Jwt.issuer(ISSUER).subject(subject).upn(subject).groups(Set.of(groups)).expiresIn(3600).sign(KEY);
    }

    /**
     * A {@code user} token whose {@code upn} and {@code preferred_username} may name somebody other
     * than its subject; a null leaves that claim out.
     */
    public static String userNamed(String subject, String upn, String preferredUsername) {
        JwtClaimsBuilder claims = Jwt.issuer(ISSUER).groups(Set.of("user")).expiresIn(3600);
        if (subject != null) {
            claims.subject(subject);
        }
        if (upn != null) {
            claims.upn(upn);
        }
        if (preferredUsername != null) {
            claims.preferredUserName(preferredUsername);
        }
        return claims.sign(KEY);
    }

    /** A token that expires at the given second (the test profile allows no clock skew). */
    public static String expiringAt(long epochSecond, String subject, String... groups) {
        return Jwt.issuer(ISSUER).subject(subject).upn(subject).groups(Set.of(groups)).expiresAt(epochSecond).sign(KEY);
    }

    /** A token signed with the trusted key but naming another issuer. */
    public static String issuedBy(String issuer, String subject, String... groups) {
        return Jwt.issuer(issuer).subject(subject).upn(subject).groups(Set.of(groups)).expiresIn(3600).sign(KEY);
    }

    /** A token for an audience (the aud claim). */
    public static String forAudience(String audience, String subject, String... groups) {
        return Jwt.issuer(ISSUER).audience(audience).subject(subject).upn(subject).groups(Set.of(groups))
                .expiresIn(3600).sign(KEY);
    }

    private static PrivateKey load() {
        try {
            return KeyUtils.decodePrivateKey(Files.readString(Path.of("dev/jwt/privateKey.pem")));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the dev signing key", e);
        }
    }
}
