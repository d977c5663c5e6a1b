package dev.genledger.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One PostgreSQL shared by several packaged-jar replicas of a test (room for their pools), with
 * what the test reads back from it as the superuser.
 */
public final class ReplicaDatabase implements AutoCloseable {

    private final EmbeddedPostgres pg;
    private final String url;

    private ReplicaDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
        this.url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    public static ReplicaDatabase start() throws Exception {
        return new ReplicaDatabase(PackagedApp.database(150));
    }

    public String url() {
        return url;
    }

    /** The URL a replica connects with, named so the test can find its backends. */
    public String urlFor(String replica) {
        return url + "?ApplicationName=genledger-" + replica;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, Database.SUPERUSER, Database.SUPERUSER);
    }

    /** The first column of the first row, as a long. */
    public long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
