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
        ConfigValue portValue = context.getValue("quarkus.http.port");
        String port = portValue == null || portValue.getValue() == null ? "8080" : portValue.getValue();
        if (insideMaven()) {
            if (dev) {
                // Said by the build, before anything else happens, when a local run already runs.
                EmbeddedPostgresServer.refuseIfInUse(port);
                LocalRunSignals.forwardStopToTheService();
            }
            return java.util.List.of();
        }
        Map<String, String> props = new HashMap<>(DatabaseRoles.serviceCredentials());
        props.put(URL, EmbeddedPostgresServer.jdbcUrl(dev, port));
        return java.util.List.of(new PropertiesConfigSource(props, "genledger-embedded-postgres", 50));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(50);
    }

    // `./mvnw -Plocal` builds the application inside Maven's JVM, then runs it in a JVM of its own.
    // The database belongs to the service's JVM, which stops it after the service; started during
    // the build, it would live in Maven's JVM and stop the moment Maven is interrupted.
    private static boolean insideMaven() {
        return System.getProperty("sun.java.command", "").startsWith("org.codehaus.plexus.classworlds.launcher.Launcher");
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
