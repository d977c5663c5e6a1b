package dev.genledger.credit;

/**
 * How a credit operation ended; {@code entry} is set when it was applied or replayed, {@code lot}
 * when that was a grant (the lot it created).
 */
public record CreditResult(Status status, CreditViews.Entry entry, long available, CreditViews.Lot lot) {

    public enum Status { APPLIED, REPLAYED, INSUFFICIENT, USER_NOT_FOUND, KEY_REUSED, EXPIRY_PASSED }

    static CreditResult applied(CreditViews.Entry entry, CreditViews.Lot lot) {
        return new CreditResult(Status.APPLIED, entry, entry.balanceAfter(), lot);
    }

    static CreditResult replayed(CreditViews.Entry entry, CreditViews.Lot lot) {
        return new CreditResult(Status.REPLAYED, entry, entry.balanceAfter(), lot);
    }

    static CreditResult of(Status status, long available) {
        return new CreditResult(status, null, available, null);
    }
}
