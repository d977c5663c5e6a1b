package dev.genledger.ops;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * A build made by {@code ./mvnw -Plocal} trusts the committed dev key, serves Swagger UI and
 * carries the embedded PostgreSQL: it is for the machine it was built on. It carries a marker
 * (src/local/resources) and refuses to start in prod, which is what every image runs.
 */
@ApplicationScoped
public class LocalBuild {

    static final String MARKER = "dev/genledger/ops/local-build";
    private static final Logger LOG = Logger.getLogger(LocalBuild.class);

    @ConfigProperty(name = "quarkus.http.port")
    int httpPort;

    @ConfigProperty(name = "quarkus.management.port")
    int managementPort;

    void refuseInProd(@Observes StartupEvent started) {
        if (ConfigUtils.isProfileActive("prod") && isLocalBuild()) {
            throw new IllegalStateException("this is a local build (./mvnw -Plocal: dev key, embedded database) and "
                    + "refuses to run in prod; build the production package with ./mvnw package");
        }
    }

    /** Last of the startup work (after the demo data), so the line is the last thing a newcomer reads. */
    void announce(@Observes @Priority(Integer.MAX_VALUE) StartupEvent started) {
        if (!isLocalBuild() || ConfigUtils.isProfileActive("prod")) {
            return;
        }
        String api = "http://localhost:" + httpPort;
        LOG.infof("genledger is ready: API %s, OpenAPI %s/q/openapi, Swagger UI %s/q/swagger-ui,"
                + " probes and metrics http://localhost:%d/q/health and /q/metrics. A token: TOKEN=$(dev/token.sh service)"
                + " (or admin, or user <id>); demo data: GENLEDGER_DEMO_ENABLED=true; stop: Ctrl-C.", api, api, api,
                managementPort);
    }

    static boolean isLocalBuild() {
        return LocalBuild.class.getClassLoader().getResource(MARKER) != null;
    }
}
