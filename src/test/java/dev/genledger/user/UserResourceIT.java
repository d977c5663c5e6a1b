package dev.genledger.user;

import dev.genledger.support.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The user tests, against the packaged application (the native binary with {@code -Dnative}). */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
class UserResourceIT extends UserResourceTests {
}
