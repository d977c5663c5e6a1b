package dev.genledger.event;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} and the base64 HMAC-SHA256 of
 * {@code <webhook-id>.<webhook-timestamp>.<body>} under the secret's key (the base64 after
 * {@code whsec_}), one per valid secret, separated by spaces, so a receiver rotating its secret
 * accepts a delivery with either.
 */
public final class WebhookSigner {

    public static final String PREFIX = "whsec_";

    private WebhookSigner() {
    }

    /** A new secret: 32 random bytes. */
    public static String newSecret() {
        byte[] key = new byte[32];
        // Not a static field: the native image initialises this class at build time and would bake in its seed.
        new SecureRandom().nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** Whether a secret is one signing can use: whsec_ and base64 of 24 to 64 bytes. */
    public static boolean isValid(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return false;
        }
        try {
            int length = Base64.getDecoder().decode(secret.substring(PREFIX.length())).length;
            return length >= 24 && length <= 64;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The webhook-signature header value for a message, signed with every secret given. */
    public static String sign(String id, long timestamp, byte[] body, List<String> secrets) {
        return secrets.stream().map(s -> "v1," + signature(id, timestamp, body, s)).collect(Collectors.joining(" "));
    }

    private static String signature(String id, long timestamp, byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(PREFIX.length())), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this runtime", e);
        }
    }
}
