package dev.genledger.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Demo data for a local run: {@code GENLEDGER_DEMO_ENABLED=true ./mvnw -Plocal}. */
@ConfigMapping(prefix = "genledger.demo")
public interface DemoConfig {

    /** Seed a few users with credits, jobs and a published quiz at startup, once (never in prod). */
    @WithDefault("false")
    boolean enabled();
}
