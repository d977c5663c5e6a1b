package dev.genledger.credit;

/** Why a balance changed; the sign says which way an operation of this kind moves it. */
public enum LedgerKind {
    GRANT(1), SPEND(-1), REFUND(1), TRANSFER_IN(1), TRANSFER_OUT(-1), CAPTURE(-1);

    final int sign;

    LedgerKind(int sign) {
        this.sign = sign;
    }
}
