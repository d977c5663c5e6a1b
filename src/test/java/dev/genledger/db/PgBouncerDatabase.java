package dev.genledger.db;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import dev.genledger.support.PgBouncer;

/**
 * With the {@code pgbouncer} profile (./mvnw test -Ppgbouncer), points the service at an
 * embedded PostgreSQL through a PgBouncer in transaction mode, with the timeouts set on the role
 * as in production; the admin pool goes to PostgreSQL directly, as docs/operations.md says.
 */
public class PgBouncerDatabase implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("pgbouncer")) {
            return List.of();
        }
        PgBouncer.Addresses a = PgBouncer.startOnce();
        Map<String, String> props = new HashMap<>(DatabaseRoles.serviceCredentials());
        props.put("quarkus.datasource.jdbc.url", a.pooledUrl());
        // through the expression in application.properties, which outranks this source
        props.put("GENLEDGER_ADMIN_JDBC_URL", a.directUrl());
        return List.of(new PropertiesConfigSource(props, "genledger-pgbouncer", 60));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(60);
    }
}
