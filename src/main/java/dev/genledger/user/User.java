package dev.genledger.user;

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
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/**
 * A person using the app. Deleting one only stamps {@code deleted_at}; Hibernate then hides the
 * row from every entity query. The balance is changed only by the credit SQL, never written here.
 */
@Entity
@Table(name = "users")
@SoftDelete(strategy = SoftDeleteType.TIMESTAMP, columnName = "deleted_at")
@DynamicUpdate
public class User extends PanacheEntityBase {

    @Id
    public UUID id;

    public String email;

    @Column(name = "external_id")
    public String externalId;

    @Column(name = "display_name")
    public String displayName;

    @Column(insertable = false, updatable = false)
    public long balance;

    /** Credits reserved by open job holds; {@code balance - held} is what can be spent. */
    @Column(insertable = false, updatable = false)
    public long held;

    /** The keyset position of the admin listing (an identity column the database assigns). */
    @Column(insertable = false, updatable = false)
    public long seq;

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

    public static User findLive(UUID id) {
        return findById(id);
    }

    public static User findByEmail(String email) {
        return find("lower(email) = lower(?1)", email).firstResult();
    }

    public static User findByExternalId(String externalId) {
        return find("externalId", externalId).firstResult();
    }
}
