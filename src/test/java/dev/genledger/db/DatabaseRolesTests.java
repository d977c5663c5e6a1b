package dev.genledger.db;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The service's database role, attacked as someone holding its password would: the ledger and the
 * audit trail cannot be rewritten, emptied or unprotected, and the schema cannot be changed.
 */
@QuarkusTest
class DatabaseRolesTests {

    @Test
    void theServiceAndItsAdminPoolRunAsTheRuntimeRoleWhichIsNoSuperuserAndOwnsNothing() {
        asService().get("/v1/users/{id}", newUserWith(1)).then().statusCode(200);
        List<String> roles = new ArrayList<>();
        try (Connection c = Database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT DISTINCT usename FROM pg_stat_activity
                        WHERE application_name IN ('genledger', 'genledger-admin') ORDER BY 1""")) {
            while (rs.next()) {
                roles.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertEquals(List.of(DatabaseRoles.RUNTIME), roles, "every pooled connection logs in as the runtime role");
        assertEquals(0, Database.queryLong("SELECT count(*) FROM pg_roles WHERE rolname = ? AND (rolsuper OR rolcreaterole"
                + " OR rolcreatedb OR rolbypassrls)", DatabaseRoles.RUNTIME));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM pg_class WHERE relowner = ?::regrole", DatabaseRoles.RUNTIME));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM pg_proc WHERE proowner = ?::regrole", DatabaseRoles.RUNTIME));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                + " AND relkind IN ('r', 'm', 'v') AND relowner <> ?::regrole", DatabaseRoles.OWNER), "the owner owns the schema");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ALTER TABLE credit_ledger DISABLE TRIGGER credit_ledger_append_only",
            "ALTER TABLE credit_ledger DISABLE TRIGGER ALL",
            "UPDATE credit_ledger SET amount = amount + 1",
            "DELETE FROM credit_ledger",
            "TRUNCATE credit_ledger",
            "ALTER TABLE credit_ledger DROP CONSTRAINT credit_ledger_idempotency_key",
            "DROP TABLE credit_ledger CASCADE",
            "CREATE OR REPLACE FUNCTION credit_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "UPDATE audit_log SET actor = 'nobody'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log ADD COLUMN note text",
            "ALTER TABLE users DISABLE TRIGGER users_audit_update",
            "UPDATE job_transitions SET actor = 'nobody'",
            "DELETE FROM users",
            "DELETE FROM quizzes",
            "CREATE TABLE public.stash (v text)",
            "ALTER DEFAULT PRIVILEGES FOR ROLE genledger_owner GRANT ALL ON TABLES TO genledger",
    })
    void theRuntimeRoleMayNotRewriteOrUnprotectTheLedgerAndTheAuditTrail(String attack) throws SQLException {
        try (Connection c = Database.connect(DatabaseRoles.RUNTIME)) {
            c.setAutoCommit(false);
            SQLException refused = assertThrows(SQLException.class, () -> {
                try (Statement s = c.createStatement()) {
                    s.execute(attack);
                }
            }, attack);
            assertEquals("42501", refused.getSQLState(), attack + ": " + refused.getMessage());
            c.rollback();
        }
    }

    @Test
    void theRuntimeRoleMayAppendToTheLedgerAndTheAuditTrailAndReadThem() throws SQLException {
        UUID user = newUserWith(10);
        try (Connection c = Database.connect(DatabaseRoles.RUNTIME)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO audit_log (actor, entity, entity_id, user_id, action) VALUES ('test', 'user', ?, ?::uuid, 'NOTE')
                    """)) {
                ps.setString(1, user.toString());
                ps.setString(2, user.toString());
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(1, count(c, "SELECT count(*) FROM credit_ledger WHERE user_id = '" + user + "'"));
            c.rollback();
        }
        asService().body(Map.of("amount", 3, "reason", "end to end as the runtime role"))
                .post("/v1/users/{id}/credits/spend", user).then().statusCode(201);
        assertEquals(7, balance(user));
    }

    @Test
    void theMaintenanceRoleMayRefreshTheStatisticsButTheOwnersFunctionsAreNotForEveryone() throws SQLException {
        try (Connection c = Database.connect(DatabaseRoles.RUNTIME); Statement s = c.createStatement()) {
            s.execute("SELECT refresh_materialized_view('user_stats')");
            SQLException notAView = assertThrows(SQLException.class, () -> s.execute("SELECT refresh_materialized_view('users')"));
            assertEquals("42704", notAView.getSQLState());
        }
        assertFalse(Database.queryLong("SELECT count(*) FROM pg_proc p WHERE p.proname IN ('purge_audit_log',"
                + " 'purgeable_users', 'scrub_audit', 'purge_insights', 'purge_quizzes', 'purge_user_jobs', 'purge_users',"
                + " 'refresh_materialized_view') AND (p.proacl IS NULL OR p.proacl::text LIKE '%{=X%' OR p.proacl::text LIKE '%,=X%')") > 0,
                "PUBLIC may not execute the owner's functions");
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
