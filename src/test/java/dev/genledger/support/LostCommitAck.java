package dev.genledger.support;

import java.sql.SQLException;

/**
 * Loses the answer to a COMMIT that lands. While armed, PostgreSQL waits after writing each commit
 * for a synchronous standby that does not exist; a backend terminated in that wait keeps its
 * transaction committed while its client sees the connection drop: exactly a connection that breaks
 * between a commit and its acknowledgement. Closing disarms, and commits still waiting complete.
 */
public final class LostCommitAck implements AutoCloseable {

    private LostCommitAck() {
    }

    public static LostCommitAck arm() {
        standbys("'genledger_no_such_standby'");
        return new LostCommitAck();
    }

    /** The pid of the first backend whose COMMIT waits for the standby; fails after 5 s. */
    public int waitingCommit() throws SQLException, InterruptedException {
        return Database.awaitBackend("SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'",
                "no commit started waiting for the standby");
    }

    /** Terminates the committing backend (its client loses the answer) and disarms, so retries commit at once. */
    public void cut(int pid) throws SQLException {
        RowLock.terminate(pid);
        close();
    }

    @Override
    public void close() {
        standbys("''");
    }

    private static void standbys(String names) {
        Database.execute("ALTER SYSTEM SET synchronous_standby_names = " + names);
        Database.queryLong("SELECT 1 FROM pg_reload_conf()");
    }
}
