package dev.genledger.ops;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * Says at startup when the service's own connections to the database are not encrypted or do not
 * verify the server: pgjdbc's default ({@code sslmode=prefer}) falls back to plain text and checks
 * no certificate, so passwords and every ledger row could cross the network readable.
 */
@ApplicationScoped
public class DatabaseTransport {

    private static final Logger LOG = Logger.getLogger(DatabaseTransport.class);

    @Inject
    DatabaseTransportConfig config;

    @Inject
    AgroalDataSource api;

    @Inject
    @DataSource("admin")
    AgroalDataSource admin;

    void onStart(@Observes StartupEvent event) {
        if (config.warnWithoutTls()) {
            check("API", api);
            check("admin", admin);
        }
    }

    private static void check(String pool, AgroalDataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                LOG.warnf("the %s pool connects to the database without TLS: set sslmode=verify-full and sslrootcert"
                        + " in the JDBC URL (docs/security.md)", pool);
            } else if (!"verify-full".equals(sslMode(dataSource))) {
                LOG.warnf("the %s pool uses TLS without verifying the database server: set sslmode=verify-full and"
                        + " sslrootcert in the JDBC URL (docs/security.md)", pool);
            }
        } catch (SQLException e) {
            LOG.warnf("could not check how the %s pool reaches the database: SQLState %s", pool, e.getSQLState());
        }
    }

    private static String sslMode(AgroalDataSource dataSource) {
        AgroalConnectionFactoryConfiguration factory = dataSource.getConfiguration().connectionPoolConfiguration()
                .connectionFactoryConfiguration();
        Properties props = factory.jdbcProperties();
        if (props.getProperty("sslmode") != null) {
            return props.getProperty("sslmode");
        }
        for (String param : factory.jdbcUrl().replaceFirst("^[^?]*\\??", "").split("&")) {
            if (param.startsWith("sslmode=")) {
                return param.substring("sslmode=".length());
            }
        }
        return "prefer";
    }
}
