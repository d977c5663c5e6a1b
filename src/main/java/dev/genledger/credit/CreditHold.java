package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * Credits reserved for one job (V2): OPEN until settled exactly once, as CAPTURED or RELEASED.
 * Written only by {@link Holds}; the timestamps come from the database's clock.
 */
@Entity
@Table(name = "credit_holds")
public class CreditHold extends PanacheEntityBase {

    public enum Status {
        OPEN, CAPTURED, RELEASED
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "user_id", updatable = false)
    public UUID userId;

    @Column(name = "job_id", updatable = false)
    public UUID jobId;

    @Column(updatable = false)
    public long amount;

    @Enumerated(EnumType.STRING)
    public Status status;

    @Column(updatable = false)
    public String actor;

    @Column(name = "settled_at")
    public OffsetDateTime settledAt;

    @Column(name = "ledger_id")
    public Long ledgerId;

    /** What a capture charged (V31); null otherwise. */
    public Long captured;

    static CreditHold open(UUID userId, UUID jobId, long amount, String actor) {
        CreditHold hold = new CreditHold();
        hold.userId = userId;
        hold.jobId = jobId;
        hold.amount = amount;
        hold.status = Status.OPEN;
        hold.actor = actor;
        hold.persist();
        return hold;
    }

    /** The job's open hold, row-locked until the transaction ends. */
    static Optional<CreditHold> lockOpen(UUID jobId) {
        return find("jobId = ?1 and status = ?2", jobId, Status.OPEN)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    /** Settles this hold if it is still open; the number of rows settled, 0 or 1. */
    int settle(Status outcome, Long ledgerId, Long captured) {
        return update("status = ?1, settledAt = offset datetime, ledgerId = ?2, captured = ?3"
                + " where id = ?4 and status = ?5", outcome, ledgerId, captured, id, Status.OPEN);
    }
}
