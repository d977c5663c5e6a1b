package dev.genledger.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The embedded test database speaks no TLS: with the prod default, the service says so at startup. */
@QuarkusTest
@TestProfile(DatabaseTransportTests.AsInProd.class)
class DatabaseTransportTests {

    public static class AsInProd implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.database.warn-without-tls", "true");
        }
    }

    @Test
    void aStartWithoutTlsToTheDatabaseIsWarnedAboutForBothPools() throws IOException {
        String whole = Files.readString(Path.of("target", "quarkus-test.log"));
        // The file is rotated at each start; from Flyway's validation on, it is this start's.
        String log = whole.substring(Math.max(0, whole.lastIndexOf("Successfully validated")));
        assertTrue(log.contains("the API pool connects to the database without TLS"), "warned for the API pool");
        assertTrue(log.contains("the admin pool connects to the database without TLS"), "warned for the admin pool");
    }
}
