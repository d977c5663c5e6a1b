package dev.genledger.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The three database roles of {@code db/roles.sql}: the schema owner that migrates, the service's
 * runtime role and the maintenance role. Every place that creates a database for the service
 * (the embedded one, the tests' and the scripts') creates them with that one file.
 */
public final class DatabaseRoles {

    public static final String OWNER = "genledger_owner";
    public static final String RUNTIME = "genledger";
    public static final String MAINTENANCE = "genledger_maintenance";

    private static final String SCRIPT = "db/roles.sql";

    private DatabaseRoles() {
    }

    /** Runs {@code db/roles.sql} on a superuser's connection. */
    public static void create(Connection superuser) throws SQLException {
        try (Statement s = superuser.createStatement()) {
            s.execute(script());
        }
    }

    /**
     * The service's settings for a local database that trusts its clients: the pools as the
     * runtime role, Flyway as the owner.
     */
    public static Map<String, String> serviceCredentials() {
        return Map.of(
                "quarkus.datasource.username", RUNTIME,
                "quarkus.datasource.password", RUNTIME,
                "quarkus.flyway.username", OWNER,
                "quarkus.flyway.password", OWNER);
    }

    private static String script() {
        try (InputStream in = DatabaseRoles.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
