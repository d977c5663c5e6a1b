package dev.genledger.event;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A webhook endpoint, managed by admins. The delivery workers read it through SQL on pools of
 * their own (see {@link DeliveryWorker}); this entity is the admin API's.
 */
@Entity
@Table(name = "webhook_endpoints")
@DynamicUpdate
public class WebhookEndpoint extends PanacheEntityBase {

    @Id
    public UUID id;

    public String url;

    @Column(name = "event_types")
    public String[] eventTypes;

    public String description;

    /** As stored: encrypted by {@link WebhookSecretCipher} where a key is configured. */
    public String secret;

    /** Still signed with, next to the new secret, until {@link #previousSecretUntil}, so receivers can switch. */
    @Column(name = "previous_secret")
    public String previousSecret;

    @Column(name = "previous_secret_until")
    public OffsetDateTime previousSecretUntil;

    public boolean enabled;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    /** Signs with {@code next} from now on, and with the current secret too for {@code overlap}. */
    void rotate(String next, Duration overlap) {
        previousSecret = secret;
        previousSecretUntil = now().plus(overlap);
        secret = next;
    }

    WebhookViews.Endpoint view() {
        OffsetDateTime overlapEnds = previousSecretUntil != null && previousSecretUntil.isAfter(now())
                ? previousSecretUntil : null;
        return new WebhookViews.Endpoint(id, url, List.of(eventTypes), description, enabled, null, overlapEnds,
                createdAt, updatedAt);
    }

    @PrePersist
    void onCreate() {
        createdAt = now();
        updatedAt = createdAt;
    }

    /** Every patch moves {@code updatedAt}, also one that changes nothing else. */
    void patched() {
        updatedAt = now();
    }

    // PostgreSQL keeps microseconds; so do we, so that what a write returns equals what a read returns.
    private static OffsetDateTime now() {
        return OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS);
    }
}
