package dev.genledger.credit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/** One balance change asked for: applied at most once per (user, idempotency key). */
public record CreditCommand(UUID userId, LedgerKind kind, long amount, String reason, String reference,
        String idempotencyKey, String actor, LotTerms lot) {

    /** A change that creates no lot on its own terms (a spend, a refund, a plain grant). */
    public CreditCommand(UUID userId, LedgerKind kind, long amount, String reason, String reference,
            String idempotencyKey, String actor) {
        this(userId, kind, amount, reason, reference, idempotencyKey, actor, LotTerms.PAID_FOREVER);
    }

    long delta() {
        return kind.sign * amount;
    }

    /** What makes two requests with one key "the same request". */
    String requestHash() {
        String terms = lot.hashPart();
        return terms == null ? hash(kind.name(), Long.toString(amount), reason, reference)
                : hash(kind.name(), Long.toString(amount), reason, reference, terms);
    }

    static String hash(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                digest.update(Objects.toString(part, "\u0001").getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
