package dev.genledger.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class WebhookSecretCipherTests {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String OLD_KEY = key(1);
    private static final String NEW_KEY = key(2);

    private static String key(int fill) {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) fill);
        return Base64.getEncoder().encodeToString(raw);
    }

    @Test
    void aSealedSecretHidesTheSecretAndOpensForItsEndpoint() {
        WebhookSecretCipher cipher = new WebhookSecretCipher(List.of(NEW_KEY));
        UUID endpoint = UUID.randomUUID();
        String stored = cipher.seal(SECRET, endpoint);
        assertTrue(stored.startsWith("gcm1:"), stored);
        assertFalse(stored.contains(SECRET.substring("whsec_".length())), stored);
        assertNotEquals(stored, cipher.seal(SECRET, endpoint), "each seal has a nonce of its own");
        assertEquals(SECRET, cipher.open(stored, endpoint));
        assertFalse(cipher.needsResealing(stored));
    }

    @Test
    void aSealedSecretDoesNotOpenForAnotherEndpointNorWhenAltered() {
        WebhookSecretCipher cipher = new WebhookSecretCipher(List.of(NEW_KEY));
        UUID endpoint = UUID.randomUUID();
        String stored = cipher.seal(SECRET, endpoint);
        assertThrows(IllegalStateException.class, () -> cipher.open(stored, UUID.randomUUID()));
        char last = stored.charAt(stored.length() - 3);
        String altered = stored.substring(0, stored.length() - 3) + (last == 'A' ? 'B' : 'A') + stored.substring(stored.length() - 2);
        assertThrows(IllegalStateException.class, () -> cipher.open(altered, endpoint));
    }

    @Test
    void aNewKeyGoesFirstAndTheOldOneStillOpensUntilResealed() {
        UUID endpoint = UUID.randomUUID();
        String underOld = new WebhookSecretCipher(List.of(OLD_KEY)).seal(SECRET, endpoint);
        WebhookSecretCipher rotated = new WebhookSecretCipher(List.of(NEW_KEY, OLD_KEY));
        assertEquals(SECRET, rotated.open(underOld, endpoint));
        assertTrue(rotated.needsResealing(underOld));
        String underNew = rotated.seal(rotated.open(underOld, endpoint), endpoint);
        assertFalse(rotated.needsResealing(underNew));
        assertEquals(SECRET, new WebhookSecretCipher(List.of(NEW_KEY)).open(underNew, endpoint));

        IllegalStateException dropped = assertThrows(IllegalStateException.class,
                () -> new WebhookSecretCipher(List.of(NEW_KEY)).open(underOld, endpoint));
        assertTrue(dropped.getMessage().contains("not among genledger.webhooks.secret-keys"), dropped.getMessage());
    }

    @Test
    void aSecretStoredBeforeAnyKeyOpensAsItIsAndIsDueForSealing() {
        UUID endpoint = UUID.randomUUID();
        WebhookSecretCipher none = new WebhookSecretCipher(List.of());
        assertFalse(none.encrypts());
        assertEquals(SECRET, none.seal(SECRET, endpoint));
        assertFalse(none.needsResealing(SECRET));
        WebhookSecretCipher keyed = new WebhookSecretCipher(List.of(NEW_KEY));
        assertEquals(SECRET, keyed.open(SECRET, endpoint));
        assertTrue(keyed.needsResealing(SECRET));
    }

    @Test
    void aKeyThatIsNotThirtyTwoBytesOfBase64IsRefused() {
        for (String bad : List.of("", "not base64!", Base64.getEncoder().encodeToString(new byte[16]))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new WebhookSecretCipher(List.of(bad)));
            assertTrue(e.getMessage().contains("32 random bytes"), e.getMessage());
        }
    }
}
