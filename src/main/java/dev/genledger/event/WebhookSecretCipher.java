package dev.genledger.event;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Encrypts endpoints' signing secrets at rest (AES-256-GCM), so a copy of the database (a backup,
 * a replica, a support dump) does not hand out what forges our webhooks. A stored value is
 * {@code gcm1:<key id>:<base64 of nonce and ciphertext>}, bound to its endpoint's id, so it opens
 * only for that endpoint. The first key encrypts; every key decrypts (rotation: docs/security.md).
 * With no key, secrets are stored as given; such values, stored before a key was set, still open.
 */
@Singleton
public class WebhookSecretCipher {

    private static final String PREFIX = "gcm1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    // An instance, not a constant: a native image must not carry a seeded generator from its build.
    private final SecureRandom random = new SecureRandom();
    private final Map<String, SecretKey> keys = new LinkedHashMap<>();
    private final String sealingKeyId;

    @Inject
    WebhookSecretCipher(WebhooksConfig config) {
        this(config.secretKeys().orElse(List.of()));
    }

    /** Keys as configured: base64 of 32 bytes each, the first one sealing. */
    public WebhookSecretCipher(List<String> encodedKeys) {
        for (String encoded : encodedKeys) {
            byte[] raw = decodeKey(encoded);
            keys.putIfAbsent(idOf(raw), new SecretKeySpec(raw, "AES"));
        }
        sealingKeyId = keys.isEmpty() ? null : keys.keySet().iterator().next();
    }

    public boolean encrypts() {
        return sealingKeyId != null;
    }

    /** What to store for this endpoint's secret. */
    public String seal(String secret, UUID endpointId) {
        if (!encrypts()) {
            return secret;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.get(sealingKeyId), nonce, endpointId,
                secret.getBytes(StandardCharsets.UTF_8));
        byte[] stored = new byte[NONCE_BYTES + sealed.length];
        System.arraycopy(nonce, 0, stored, 0, NONCE_BYTES);
        System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
        return PREFIX + sealingKeyId + ":" + Base64.getEncoder().encodeToString(stored);
    }

    /** The secret a stored value holds; fails when it was sealed with a key not configured, or altered. */
    public String open(String stored, UUID endpointId) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        String[] parts = stored.split(":", 3);
        SecretKey key = parts.length == 3 ? keys.get(parts[1]) : null;
        if (key == null) {
            throw new IllegalStateException("the secret of webhook endpoint " + endpointId + " is sealed with key "
                    + (parts.length == 3 ? parts[1] : "?") + ", which is not among genledger.webhooks.secret-keys");
        }
        byte[] raw = Base64.getDecoder().decode(parts[2]);
        byte[] nonce = Arrays.copyOfRange(raw, 0, NONCE_BYTES);
        byte[] sealed = Arrays.copyOfRange(raw, NONCE_BYTES, raw.length);
        return new String(crypt(Cipher.DECRYPT_MODE, key, nonce, endpointId, sealed), StandardCharsets.UTF_8);
    }

    /** Whether a stored value is not yet sealed with the first key (plain, or sealed with an older one). */
    public boolean needsResealing(String stored) {
        return encrypts() && stored != null && !stored.startsWith(PREFIX + sealingKeyId + ":");
    }

    /** The stored value sealed with the first key: itself when it already is (or is null). */
    public String reseal(String stored, UUID endpointId) {
        return needsResealing(stored) ? seal(open(stored, endpointId), endpointId) : stored;
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, UUID endpointId, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(endpointId.toString().getBytes(StandardCharsets.US_ASCII));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed webhook secret does not open for endpoint " + endpointId
                    + ": altered, or sealed for another endpoint", e);
        }
    }

    private static byte[] decodeKey(String encoded) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            raw = new byte[0];
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(
                    "each of genledger.webhooks.secret-keys must be the base64 of 32 random bytes (openssl rand -base64 32)");
        }
        return raw;
    }

    // A short public name of a key: which key sealed a value, without saying anything of the key.
    private static String idOf(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
