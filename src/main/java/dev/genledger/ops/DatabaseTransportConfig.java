package dev.genledger.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the service checks at startup about its connections to the database. */
@ConfigMapping(prefix = "genledger.database")
public interface DatabaseTransportConfig {

    /**
     * Warn at startup when a pool reaches the database unencrypted, or encrypted without checking
     * the server's certificate and name ({@code sslmode} other than {@code verify-full}).
     * GENLEDGER_DATABASE_WARN_WITHOUT_TLS; on in prod, off for the local embedded database.
     */
    @WithDefault("true")
    boolean warnWithoutTls();
}
