package dev.genledger.credit;

/**
 * Why a balance changed: every kind the code writes to the ledger. The sign says which way a
 * grant, spend or refund moves the balance (transfers and captures carry their own signed amounts).
 */
public enum LedgerKind {
    GRANT(1), SPEND(-1), REFUND(1), TRANSFER_IN(1), TRANSFER_OUT(-1), CAPTURE(-1), EXPIRE(-1);

    final int sign;

    LedgerKind(int sign) {
        this.sign = sign;
    }
}
