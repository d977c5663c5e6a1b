package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.Immutable;

/** A row of the append-only credit ledger, for reading; rows are written by {@link LedgerWriter}. */
@Entity
@Immutable
@Table(name = "credit_ledger")
public class LedgerEntry extends PanacheEntityBase {

    @Id
    public long id;

    @Column(name = "user_id")
    public UUID userId;

    public long amount;

    @Column(name = "balance_after")
    public long balanceAfter;

    public String kind;

    public String reason;

    public String reference;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "request_hash")
    public String requestHash;

    @Column(name = "transfer_id")
    public UUID transferId;

    public String actor;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;
}
