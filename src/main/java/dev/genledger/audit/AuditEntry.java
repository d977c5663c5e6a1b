package dev.genledger.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;

/** One row of the audit history, as the triggers and {@link Auditor} wrote it; never changed here. */
@Entity
@Table(name = "audit_log")
@Immutable
public class AuditEntry extends PanacheEntityBase {

    @Id
    public long id;

    public OffsetDateTime at;

    public String actor;

    @Column(name = "client_ip")
    public String clientIp;

    @Column(name = "user_agent")
    public String userAgent;

    @Column(name = "request_id")
    public String requestId;

    public String entity;

    @Column(name = "entity_id")
    public String entityId;

    @Column(name = "user_id")
    public UUID userId;

    public String action;

    @Column(name = "old_values", columnDefinition = "jsonb")
    @ColumnTransformer(read = "old_values::text")
    public String oldValues;

    @Column(name = "new_values", columnDefinition = "jsonb")
    @ColumnTransformer(read = "new_values::text")
    public String newValues;
}
