package dev.genledger.job;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/**
 * A generation job. Jobs go with their user: the user's deletion stamps {@code deleted_at} and
 * Hibernate hides the rows from every entity query; the user's restore clears it.
 */
@Entity
@Table(name = "generation_jobs")
@SoftDelete(strategy = SoftDeleteType.TIMESTAMP, columnName = "deleted_at")
@DynamicUpdate
public class GenerationJob extends PanacheEntityBase {

    @Id
    public UUID id;

    /** The keyset position of lists (an identity column the database assigns). */
    @Generated
    @Column(insertable = false, updatable = false)
    public long seq;

    @Column(name = "user_id", updatable = false)
    public UUID userId;

    @Column(name = "job_key", updatable = false)
    public String jobKey;

    @Column(updatable = false)
    public String kind;

    @Column(updatable = false)
    public long cost;

    @Enumerated(EnumType.STRING)
    public JobStatus status;

    @Column(name = "result_ref")
    public String resultRef;

    public String error;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** How long the hold lives unless a heartbeat renews it; fixed at creation. */
    @Column(name = "hold_ttl_ms", updatable = false)
    public Long holdTtlMs;

    /**
     * When the hold runs out: set from the database's clock at insert (V30), moved only in SQL by
     * heartbeats, so every replica compares it with the same clock.
     */
    @Generated
    @Column(name = "hold_expires_at", insertable = false, updatable = false)
    public OffsetDateTime holdExpiresAt;

    /** Whether the hold ran out as of the statement that loaded the job (the job row's lock, in a move). */
    @Formula("coalesce(hold_expires_at <= statement_timestamp(), false)")
    public boolean holdDue;

    /** What a success charged, when it charged less than the cost (partial capture, V31). */
    @Column(name = "actual_cost")
    public Long actualCost;

    /** A digest of the quiz or insight a success delivered in its own commit (V34); null otherwise. */
    @Column(name = "delivery_hash")
    public byte[] deliveryHash;

    static GenerationJob pending(UUID id, UUID userId, JobRequests.Create request, Duration holdTtl) {
        GenerationJob job = new GenerationJob();
        job.id = id;
        job.userId = userId;
        job.jobKey = request.jobKey();
        job.kind = request.kind();
        job.cost = request.cost();
        job.status = JobStatus.PENDING;
        job.holdTtlMs = holdTtl.toMillis();
        return job;
    }

    /** Moves to {@code to}, stamping when it started or finished; what it carries adds to what it had. */
    void become(JobStatus to, String result, String failure) {
        OffsetDateTime now = now();
        status = to;
        updatedAt = now;
        if (to == JobStatus.RUNNING) {
            startedAt = now;
        }
        finishedAt = to.settles() ? now : null;
        if (result != null) {
            resultRef = result;
        }
        if (failure != null) {
            error = failure;
        }
    }

    @PrePersist
    void onCreate() {
        createdAt = now();
        updatedAt = createdAt;
    }

    // PostgreSQL keeps microseconds; so do we, so that what a write returns equals what a read returns.
    private static OffsetDateTime now() {
        return OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
    }
}
