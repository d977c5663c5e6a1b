package dev.genledger.user;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;

/** Users: create, find, upsert by external id, change, soft delete. */
@ApplicationScoped
@TranslateFailures
public class UserService {

    /** The result of an upsert: the user and whether it was created. */
    public record Upserted(UserView user, boolean created) {
    }

    @Inject
    EntityManager em;

    @Inject
    DataSource dataSource;

    @Inject
    Auditor auditor;

    @Inject
    Event<UserEvents.Deleted> deleted;

    @Inject
    Event<UserEvents.Restored> restored;

    /**
     * Creates a user with the given id, or returns the one an earlier attempt of the same request
     * already created with it (its commit landed, its answer did not).
     */
    @Transactional(rollbackOn = SQLException.class)
    public UserView create(UUID id, UserRequests.Create request, Who who) throws SQLException {
        User earlier = User.findById(id);
        if (earlier != null) {
            return UserView.from(earlier);
        }
        auditor.tag(who);
        User user = new User();
        user.id = id;
        user.email = normalize(request.email());
        user.externalId = request.externalId();
        user.displayName = request.displayName();
        user.persist();
        user.flush();
        return UserView.from(user);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UserView> get(UUID id) {
        return Optional.ofNullable(User.findLive(id)).map(UserView::from);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UserView> findByEmail(String email) {
        return Optional.ofNullable(User.findByEmail(email)).map(UserView::from);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UserView> findByExternalId(String externalId) {
        return Optional.ofNullable(User.findByExternalId(externalId)).map(UserView::from);
    }

    /**
     * Creates or updates the live user with this external id in one statement, so concurrent
     * calls cannot create two users (a racing insert surfaces as a serialization failure and the
     * request is retried, then updates).
     */
    @Transactional(rollbackOn = SQLException.class)
    public Upserted upsertByExternalId(String externalId, UserRequests.Upsert request, Who who) throws SQLException {
        auditor.tag(who);
        Object[] row = (Object[]) em.createNativeQuery("""
                INSERT INTO users (id, email, external_id, display_name)
                VALUES (:id, :email, :externalId, :displayName)
                ON CONFLICT (external_id) WHERE deleted_at IS NULL
                DO UPDATE SET email = excluded.email, display_name = excluded.display_name, updated_at = now()
                RETURNING id, (xmax = 0) AS created
                """)
                .setParameter("id", UUID.randomUUID())
                .setParameter("email", normalize(request.email()))
                .setParameter("externalId", externalId)
                .setParameter("displayName", request.displayName())
                .getSingleResult();
        UUID id = (UUID) row[0];
        return new Upserted(UserView.from(User.findLive(id)), (Boolean) row[1]);
    }

    @Transactional(rollbackOn = SQLException.class)
    public Optional<UserView> update(UUID id, UserRequests.Patch patch, Who who) throws SQLException {
        auditor.tag(who);
        User user = User.findLive(id);
        if (user == null) {
            return Optional.empty();
        }
        if (patch.email() != null) {
            user.email = normalize(patch.email());
        }
        if (patch.externalId() != null) {
            user.externalId = patch.externalId();
        }
        if (patch.displayName() != null) {
            user.displayName = patch.displayName();
        }
        user.flush();
        return Optional.of(UserView.from(user));
    }

    /**
     * Soft-deletes a live user and, in the same transaction, everything of theirs: quizzes and
     * insights are hidden with the user's deletion time, pending jobs cancelled and their holds
     * released (see the {@link UserEvents.Deleted} observers). A user with a running job is not
     * deleted: 409 {@code user-has-running-jobs} (see the job observer). False when there is no
     * live user.
     */
    @Transactional(rollbackOn = SQLException.class)
    public boolean delete(UUID id, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            OffsetDateTime at;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE users SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL RETURNING deleted_at")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    at = rs.getObject(1, OffsetDateTime.class);
                }
            }
            deleted.fire(new UserEvents.Deleted(id, at, who));
            return true;
        }
    }

    /**
     * Restores a deleted (not yet purged) user and what was deleted with them; what they had
     * deleted themselves before stays deleted. Empty when there is no such user; a conflict
     * (409) when a live user has taken the email or external id meanwhile.
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<UserView> restore(UUID id, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            OffsetDateTime at;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT deleted_at FROM users WHERE id = ? AND deleted_at IS NOT NULL AND purged_at IS NULL FOR UPDATE")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    at = rs.getObject(1, OffsetDateTime.class);
                }
            }
            restored.fire(new UserEvents.Restored(id, at, who));
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE users SET deleted_at = NULL, updated_at = now() WHERE id = ?")) {
                ps.setObject(1, id);
                ps.executeUpdate();
            }
            auditor.adminAction(c, who, "restore-user", id.toString(), id, null);
        }
        em.clear();
        return Optional.ofNullable(User.findLive(id)).map(UserView::from);
    }

    /** Users for admins, newest first; deleted and purged ones only when asked for. */
    @Transactional(rollbackOn = SQLException.class)
    public Page<AdminUserView> list(boolean includeDeleted, String cursor, int limit) throws SQLException {
        List<AdminUserView> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT id, email, external_id, display_name, balance, held, created_at, updated_at, deleted_at,
                       purged_at, seq
                FROM users WHERE seq < ? AND (? OR deleted_at IS NULL)
                ORDER BY seq DESC LIMIT ?
                """)) {
            ps.setLong(1, Cursor.decode(cursor));
            ps.setBoolean(2, includeDeleted);
            ps.setInt(3, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AdminUserView(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getObject(7, OffsetDateTime.class),
                            rs.getObject(8, OffsetDateTime.class), rs.getObject(9, OffsetDateTime.class),
                            rs.getObject(10, OffsetDateTime.class), rs.getLong(11)));
                }
            }
        }
        return Page.of(rows, limit, AdminUserView::position);
    }

    private static String normalize(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }
}
