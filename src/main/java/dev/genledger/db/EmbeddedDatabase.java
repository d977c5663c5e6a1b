package dev.genledger.db;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies the datasource URL of an embedded PostgreSQL in dev mode and tests when none is
 * configured. The embedded server is a {@code provided} dependency: present in dev mode and in
 * tests, absent from the packaged jar and the native image, where this factory contributes nothing.
 * <p>
 * In a native build the class-presence check is what keeps the embedded server out of the image:
 * the builder folds {@code Class.forName} of the absent launcher class (constant arguments) into a
 * {@code ClassNotFoundException}, so {@link EmbeddedPostgresServer} is unreachable and never
 * analysed, and the binary contains no reference to zonky (checked: {@code strings} on the binary).
 * Keep the check in front of every use of that class.
 */
public class EmbeddedDatabase implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    private static final String LAUNCHER = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL);
        boolean devOrTest = context.getProfiles().contains("dev") || context.getProfiles().contains("test");
        // With the pgbouncer profile the tests bring their own database behind a pooler.
        boolean pooled = context.getProfiles().contains("pgbouncer");
        if (!devOrTest || pooled || (url != null && url.getValue() != null) || !launcherPresent()) {
            return java.util.List.of();
        }
        boolean dev = context.getProfiles().contains("dev");
        Map<String, String> props = new HashMap<>(DatabaseRoles.serviceCredentials());
        ConfigValue port = context.getValue("quarkus.http.port");
        props.put(URL, EmbeddedPostgresServer.jdbcUrl(dev, port == null || port.getValue() == null ? "8080" : port.getValue()));
        return java.util.List.of(new PropertiesConfigSource(props, "genledger-embedded-postgres", 50));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(50);
    }

    private static boolean launcherPresent() {
        try {
            Class.forName(LAUNCHER, false, EmbeddedDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
