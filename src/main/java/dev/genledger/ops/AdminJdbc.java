package dev.genledger.ops;

import java.sql.Connection;
import java.sql.SQLException;

import io.agroal.api.AgroalDataSource;

/**
 * Work on a connection of its own, outside any transaction (the admin pool's VACUUM and
 * statistics), which lets no {@link SQLException} out: the failure translator still classifies the
 * wrapped cause (a transient one is retried), anything else is an unexpected failure.
 */
final class AdminJdbc {

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private AdminJdbc() {
    }

    static <T> T on(AgroalDataSource pool, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("database work failed: SQLState " + e.getSQLState(), e);
        }
    }
}
