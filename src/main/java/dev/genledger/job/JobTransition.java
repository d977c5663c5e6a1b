package dev.genledger.job;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * One status change of a job, append-only (the service's role may only insert). Read only through
 * its job, so it is hidden with the job and needs no soft delete of its own.
 */
@Entity
@Table(name = "job_transitions")
public class JobTransition extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", updatable = false)
    public UUID jobId;

    @Enumerated(EnumType.STRING)
    @Column(name = "from_status", updatable = false)
    public JobStatus fromStatus;

    @Enumerated(EnumType.STRING)
    @Column(name = "to_status", updatable = false)
    public JobStatus toStatus;

    @Column(updatable = false)
    public String actor;

    @Column(updatable = false)
    public String reason;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    static void record(UUID jobId, JobStatus from, JobStatus to, String actor, String reason) {
        JobTransition t = new JobTransition();
        t.jobId = jobId;
        t.fromStatus = from;
        t.toStatus = to;
        t.actor = actor;
        t.reason = reason;
        t.persist();
    }

    static List<JobTransition> of(UUID jobId) {
        return list("jobId = ?1 order by id", jobId);
    }

    @PrePersist
    void onCreate() {
        createdAt = OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
    }
}
