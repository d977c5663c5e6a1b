package dev.genledger.api;

import dev.genledger.support.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The auth tests, against the packaged application with the prod profile and the dev key passed in. */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
class AuthIT extends AuthTests {
}
