package dev.genledger.api;

import dev.genledger.support.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The problem+json tests, against the packaged application. */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
class ProblemIT extends ProblemTests {
}
