package dev.genledger.insight;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/**
 * An analysis of a quiz, one per (quiz, type). Written only by the upsert in
 * {@link InsightService}; read and soft-deleted through Hibernate, which hides deleted rows.
 */
@Entity
@Table(name = "insights")
@SoftDelete(strategy = SoftDeleteType.TIMESTAMP, columnName = "deleted_at")
public class Insight extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "quiz_id")
    public UUID quizId;

    @Column(name = "user_id")
    public UUID userId;

    public String type;

    public String status;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(read = "content::text", write = "?::jsonb")
    public String content;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
