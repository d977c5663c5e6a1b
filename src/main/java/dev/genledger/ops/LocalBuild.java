package dev.genledger.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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

    void refuseInProd(@Observes StartupEvent started) {
        if (ConfigUtils.isProfileActive("prod") && isLocalBuild()) {
            throw new IllegalStateException("this is a local build (./mvnw -Plocal: dev key, embedded database) and "
                    + "refuses to run in prod; build the production package with ./mvnw package");
        }
    }

    static boolean isLocalBuild() {
        return LocalBuild.class.getClassLoader().getResource(MARKER) != null;
    }
}
