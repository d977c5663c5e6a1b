package dev.genledger.credit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** A credit command alone (no database): its signed change and what makes two requests "the same". */
class CreditCommandTests {

    private static final UUID USER = UUID.randomUUID();

    private static CreditCommand command(LedgerKind kind, long amount, String reason, String reference) {
        return new CreditCommand(USER, kind, amount, reason, reference, "key-1", "service:app");
    }

    @Test
    void grantsAndRefundsAddSpendsSubtract() {
        assertEquals(5, command(LedgerKind.GRANT, 5, "r", null).delta());
        assertEquals(5, command(LedgerKind.REFUND, 5, "r", null).delta());
        assertEquals(-5, command(LedgerKind.SPEND, 5, "r", null).delta());
    }

    @Test
    void theSameRequestHashesTheSameWhoeverSendsIt() {
        assertEquals(command(LedgerKind.SPEND, 5, "quiz", "job:1").requestHash(),
                new CreditCommand(UUID.randomUUID(), LedgerKind.SPEND, 5, "quiz", "job:1", "other-key", "admin:x")
                        .requestHash());
    }

    @Test
    void anyDifferenceInKindAmountReasonOrReferenceIsAnotherRequest() {
        String spend = command(LedgerKind.SPEND, 5, "quiz", "job:1").requestHash();
        assertNotEquals(spend, command(LedgerKind.REFUND, 5, "quiz", "job:1").requestHash());
        assertNotEquals(spend, command(LedgerKind.SPEND, 6, "quiz", "job:1").requestHash());
        assertNotEquals(spend, command(LedgerKind.SPEND, 5, "quiz2", "job:1").requestHash());
        assertNotEquals(spend, command(LedgerKind.SPEND, 5, "quiz", "job:2").requestHash());
    }

    @Test
    void fieldBoundariesAndAbsentFieldsAreNotAmbiguous() {
        assertNotEquals(command(LedgerKind.SPEND, 5, "ab", "c").requestHash(),
                command(LedgerKind.SPEND, 5, "a", "bc").requestHash(), "moving a character across fields");
        assertNotEquals(command(LedgerKind.SPEND, 5, "r", null).requestHash(),
                command(LedgerKind.SPEND, 5, "r", "").requestHash(), "no reference is not an empty one");
    }

    @Test
    void aGrantWhoseTermsAreTheDefaultsWrittenOutIsThePlainGrant() {
        String plain = grant(LotTerms.PAID_FOREVER);
        assertEquals(plain, grant(new LotTerms("paid", null, 50)));
        assertNotEquals(plain, grant(new LotTerms("promotional", null, 50)));
        assertNotEquals(plain, grant(new LotTerms("paid", null, 49)));
        assertNotEquals(plain, grant(new LotTerms("paid", OffsetDateTime.parse("2030-01-01T00:00:00Z"), 50)));
    }

    private static String grant(LotTerms terms) {
        return new CreditCommand(USER, LedgerKind.GRANT, 5, "r", null, "key-1", "service:app", terms).requestHash();
    }
}
