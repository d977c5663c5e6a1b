package dev.genledger.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * In prod the service refuses to start without the settings that give a bearer token meaning:
 * without a key it would run, ready, refusing every token without a word; without an issuer it
 * would take any issuer's token signed with that key. The audience is checked when configured.
 */
@ApplicationScoped
public class TokenSettings {

    private static final Logger LOG = Logger.getLogger(TokenSettings.class);

    void check(@Observes StartupEvent started, Config config) {
        if (!ConfigUtils.isProfileActive("prod")) {
            return;
        }
        List<String> missing = new ArrayList<>();
        if (value(config, "mp.jwt.verify.publickey.location").isEmpty() && value(config, "mp.jwt.verify.publickey").isEmpty()) {
            missing.add("MP_JWT_VERIFY_PUBLICKEY_LOCATION (the token issuer's public key, or MP_JWT_VERIFY_PUBLICKEY)");
        }
        Optional<String> issuer = value(config, "mp.jwt.verify.issuer");
        if (issuer.isEmpty()) {
            missing.add("MP_JWT_VERIFY_ISSUER (the iss every token must carry)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("genledger refuses to start in prod without its token settings: set "
                    + String.join(" and ", missing));
        }
        Optional<String> audiences = value(config, "mp.jwt.verify.audiences");
        LOG.infof("bearer tokens: issuer %s, audience %s", issuer.get(),
                audiences.orElse("not checked (set MP_JWT_VERIFY_AUDIENCES to require one)"));
    }

    private static Optional<String> value(Config config, String name) {
        return config.getOptionalValue(name, String.class).filter(v -> !v.isBlank());
    }
}
