package dev.genledger.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Holds a user's row lock from outside the service (an open transaction that changed the row), so
 * a test can catch one of the service's statements waiting on it and then decide its fate.
 */
public final class RowLock implements AutoCloseable {

    public static final String WAITING = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()";

    private final Connection connection;

    private RowLock(Connection connection) {
        this.connection = connection;
    }

    public static RowLock onUser(UUID user) throws SQLException {
        Connection c = Database.connect();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET display_name = display_name WHERE id = ?")) {
            ps.setObject(1, user);
            ps.executeUpdate();
        }
        return new RowLock(c);
    }

    /**
     * The pid of the service's backend waiting for this lock; fails after a few seconds. It is found
     * by its wait alone (the lock holder is idle, not waiting), so it is found behind a pooler too,
     * where server connections need not carry the service's application_name.
     */
    public static int waitingBackend() throws SQLException, InterruptedException {
        return Database.awaitBackend(WAITING, "no service backend started waiting for the lock");
    }

    public static void terminate(int pid) throws SQLException {
        try (Connection c = Database.connect(); PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            ps.executeQuery().close();
        }
    }

    public void commit() throws SQLException {
        connection.commit();
    }

    @Override
    public void close() throws SQLException {
        connection.rollback();
        connection.close();
    }
}
