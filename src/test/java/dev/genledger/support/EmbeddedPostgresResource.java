package dev.genledger.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.genledger.db.DatabaseRoles;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The database and the settings a packaged (native) application needs in integration tests. The
 * binary runs with the prod profile: no embedded database, no dev JWT key. This starts an embedded
 * PostgreSQL in the test JVM and returns what the binary then gets as system properties, and what
 * the test JVM's config (read by {@link Database} and {@link Metrics}) sees too:
 * <ul>
 * <li>the datasource URL and credentials: the pools as the runtime role, Flyway as the owner;</li>
 * <li>the dev JWT public key and issuer, which {@link Tokens} signs for, and 1 s of clock skew, so a
 * token's expiry can be tested;</li>
 * <li>a free management port: in prod mode the test framework only moves the HTTP port, and a
 * fixed 9000 would collide with anything else listening there;</li>
 * <li>caller limits far above what the suites fire from one token, as the test profile has.</li>
 * </ul>
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "on") // as in db.EmbeddedPostgresServer
                    .start();
            try (Connection c = postgres.getPostgresDatabase().getConnection()) {
                DatabaseRoles.create(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL for the integration tests", e);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the database roles", e);
        }
        Map<String, String> config = new HashMap<>(DatabaseRoles.serviceCredentials());
        config.putAll(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "mp.jwt.verify.publickey.location", Path.of("dev/jwt/publicKey.pem").toAbsolutePath().toString(),
                "mp.jwt.verify.issuer", Tokens.ISSUER,
                "mp.jwt.verify.clock.skew", "1",
                "quarkus.management.port", String.valueOf(freePort())));
        for (String budget : List.of("user", "service", "admin", "public")) {
            config.put("genledger.limits." + budget + ".requests-per-second", "100000");
            config.put("genledger.limits." + budget + ".in-flight", "1000");
        }
        return config;
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
