package dev.genledger.quiz;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/**
 * A generated quiz. Deleting one only stamps {@code deleted_at}; Hibernate hides the row from every
 * entity query. The questions are kept as the JSON text the service wrote.
 */
@Entity
@Table(name = "quizzes")
@SoftDelete(strategy = SoftDeleteType.TIMESTAMP, columnName = "deleted_at")
@DynamicUpdate
public class Quiz extends PanacheEntityBase {

    @Id
    public UUID id;

    /** The keyset position of lists (an identity column the database assigns). */
    @Column(insertable = false, updatable = false)
    public long seq;

    @Column(name = "user_id", updatable = false)
    public UUID userId;

    public String title;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(read = "questions::text", write = "?::jsonb")
    public String questions;

    public String slug;

    @Column(name = "published_at")
    public OffsetDateTime publishedAt;

    @Column(name = "source_job_id", updatable = false)
    public UUID sourceJobId;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    // PostgreSQL keeps microseconds; so do we, so that what a write returns equals what a read returns.
    @PrePersist
    void onCreate() {
        createdAt = OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
        updatedAt = createdAt;
    }

    @PreUpdate
    void onUpdate() {
        updatedAt = OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
    }
}
