package dev.genledger.credit;

/** How a credit operation ended; {@code entry} is set when it was applied or replayed. */
public record CreditResult(Status status, CreditViews.Entry entry, long available) {

    public enum Status { APPLIED, REPLAYED, INSUFFICIENT, USER_NOT_FOUND, KEY_REUSED }

    static CreditResult applied(CreditViews.Entry entry) {
        return new CreditResult(Status.APPLIED, entry, entry.balanceAfter());
    }

    static CreditResult replayed(CreditViews.Entry entry) {
        return new CreditResult(Status.REPLAYED, entry, entry.balanceAfter());
    }

    static CreditResult of(Status status, long available) {
        return new CreditResult(status, null, available);
    }
}
