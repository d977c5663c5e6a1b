package dev.genledger.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check of a delivery, written from the Standard Webhooks specification (not from
 * the service's signer): the signed content is {@code msg_id.timestamp.payload}, the key the
 * base64-decoded secret after {@code whsec_}, the signature HMAC-SHA256 in base64 after {@code v1,};
 * the header may carry several space-separated signatures, any one of which may match; the
 * timestamp must be within five minutes of now.
 */
final class StandardWebhooksVerifier {

    private StandardWebhooksVerifier() {
    }

    static boolean verify(String secret, String msgId, String timestamp, String payload, String signatureHeader) {
        if (msgId == null || timestamp == null || signatureHeader == null) {
            return false;
        }
        long age = Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp));
        if (age > 300) {
            return false;
        }
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] expected = Base64.getEncoder().encode(
                    hmac.doFinal((msgId + "." + timestamp + "." + payload).getBytes(StandardCharsets.UTF_8)));
            for (String versioned : signatureHeader.split(" ")) {
                int comma = versioned.indexOf(',');
                if (comma > 0 && versioned.substring(0, comma).equals("v1")
                        && MessageDigest.isEqual(expected, versioned.substring(comma + 1).getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
